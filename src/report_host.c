/* What the per-host writers (JUnit, SARIF, HTML, the fleet's text and
 * JSON) share: a host's status, a case's fixes and label, escaping. */
#include "report.h"

int host_status(const struct host_result *h)
{
	size_t passed, blocked, would;
	if (!h->a)
		return h->error ? 2 : 0;	/* no error: nothing to audit (no payment plugin) */
	audit_counts(h->a, &passed, &blocked, &would);
	if (blocked || would)
		return 1;
	for (size_t i = 0; i < h->a->nexcl; i++)
		if (!h->a->excl[i].verified)
			return 1;
	return 0;
}

void markup_escape(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&')
			strbuf_addstr(out, "&amp;");
		else if (c == '<')
			strbuf_addstr(out, "&lt;");
		else if (c == '>')
			strbuf_addstr(out, "&gt;");
		else if (c == '"')
			strbuf_addstr(out, "&quot;");
		else if (c == '\'')
			strbuf_addstr(out, "&#39;");
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			strbuf_addstr(out, "&#xfffd;");	/* not allowed in XML 1.0 */
		else
			strbuf_addch(out, (int)c);
	}
}

size_t case_fixes(const struct audit *a, const struct audit_case *c,
		  const struct exclusion **out, size_t max)
{
	size_t n = 0;
	if (c->outcome == OUT_PASSED)
		return 0;
	for (size_t i = 0; i < a->nexcl && n < max; i++) {
		const struct exclusion *x = &a->excl[i];
		if (exclusion_for(x, c->cb) && (x->forms & URL_FORM_BIT(c->form)))
			out[n++] = x;
	}
	return n;
}

void case_label(const struct audit_case *c, struct strbuf *out)
{
	strbuf_addf(out, "%s [%s]", c->cb->name, url_form_name(c->form));
}
