/*
 * The HTML report: one self-contained page (inline CSS; no scripts,
 * fonts or images) a support person can send to a shop owner. It starts
 * with one summary sentence (id="summary"), then per host a table with a
 * row per callback (URL forms folded: the worst verdict, the forms it
 * applies to), what blocks it in plain words, and what the host must
 * change: each exclusion said in words, then the snippet to hand over.
 */
#include "report.h"
#include "dialect.h"

#include <string.h>

static const char style[] =
"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:2em auto;max-width:72em;"
"padding:0 1em;color:#1d1d1f;line-height:1.45}"
"h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}"
".summary{font-size:1.25em;padding:.8em 1em;border-radius:6px;margin:1em 0}"
".bad{background:#fdecea;border-left:6px solid #c62828}.good{background:#e8f5e9;border-left:6px solid #2e7d32}"
".warn{background:#fff8e1;border-left:6px solid #f9a825}"
"table{border-collapse:collapse;width:100%;margin:1em 0}th,td{text-align:left;vertical-align:top;"
"padding:.45em .6em;border-bottom:1px solid #e0e0e0}th{background:#f5f5f5}"
".v{font-weight:700;white-space:nowrap}.v.blocked{color:#c62828}.v.passed{color:#2e7d32}.v.would{color:#b26a00}"
"pre{background:#f6f8fa;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}"
".muted{color:#666;font-size:.9em}code{background:#f1f1f1;padding:0 .2em}";

/* What a rule looked at, in words: "the parameter name kco_session_id". */
static void plain_variable(const char *var, struct strbuf *out)
{
	const char *colon = strchr(var, ':'), *name = colon ? colon + 1 : "";
	size_t kind = colon ? (size_t)(colon - var) : strlen(var);
	if (!strncmp(var, "ARGS_NAMES", kind) && kind == 10)
		strbuf_addstr(out, "the parameter name ");
	else if (!strncmp(name, "json.", 5))
		strbuf_addstr(out, "the JSON field "), name += 5;
	else if ((kind == 4 && !strncmp(var, "ARGS", 4)) || (kind == 8 && !strncmp(var, "ARGS_GET", 8)) ||
		 (kind == 9 && !strncmp(var, "ARGS_POST", 9)))
		strbuf_addstr(out, "the value of the parameter ");
	else if (kind == 15 && !strncmp(var, "REQUEST_HEADERS", 15))
		strbuf_addstr(out, "the request header ");
	else if (!*name) {
		strbuf_addstr(out, "<code>");
		markup_escape(out, var);
		strbuf_addstr(out, "</code>");
		return;
	} else {
		strbuf_addstr(out, "<code>");
		strbuf_add(out, var, kind);
		strbuf_addstr(out, "</code> ");
	}
	strbuf_addstr(out, "<code>");
	markup_escape(out, name);
	strbuf_addstr(out, "</code>");
}

static void why(const struct audit_case *c, struct strbuf *out)
{
	const struct verdict *v = &c->v;
	if (v->evaluation) {
		strbuf_addf(out, "Several firewall rules together gave this request %d points, and the limit is %d:<ul>",
			    v->total_score, v->threshold);
		for (size_t i = 0; i < v->nblockers; i++) {
			const struct blocker *b = &v->blockers[i];
			const struct match *m = &v->matches[b->match];
			if (b->role != ROLE_CONTRIBUTOR)
				continue;
			strbuf_addf(out, "<li>rule %ld (%d points) &ldquo;", b->id, b->score);
			markup_escape(out, m->msg);
			strbuf_addstr(out, "&rdquo; objected to ");
			plain_variable(m->first_variable ? m->first_variable : m->variable, out);
			strbuf_addstr(out, "</li>");
		}
		strbuf_addstr(out, "</ul>");
		return;
	}
	for (size_t i = 0; i < v->nblockers; i++) {
		const struct match *m = &v->matches[v->blockers[i].match];
		strbuf_addf(out, "Firewall rule %ld &ldquo;", m->id);
		markup_escape(out, m->msg);
		strbuf_addstr(out, "&rdquo; objects to ");
		plain_variable(m->first_variable ? m->first_variable : m->variable, out);
		strbuf_addf(out, ".<div class=\"muted\">%s", "defined in ");
		markup_escape(out, m->file);
		strbuf_addf(out, ":%d</div>", m->line);
	}
}

static int worse(enum outcome a, enum outcome b)
{
	static const int rank[] = { [OUT_PASSED] = 0, [OUT_WOULD_BLOCK] = 1, [OUT_BLOCKED] = 2 };
	return rank[a] > rank[b];
}

static void callback_rows(const struct audit *a, struct strbuf *out)
{
	strbuf_addstr(out, "<table><tr><th>Callback</th><th>Sent by</th><th>Result</th><th>Why</th></tr>\n");
	for (size_t i = 0; i < a->ncases; i++) {
		const struct callback *cb = a->cases[i].cb;
		const struct audit_case *worst = &a->cases[i];
		size_t nforms = 0, nbad = 0, first = i;
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= a->cases[k].cb == cb;
		if (seen)
			continue;
		for (size_t k = first; k < a->ncases; k++) {
			if (a->cases[k].cb != cb)
				continue;
			nforms++;
			nbad += a->cases[k].outcome != OUT_PASSED;
			if (worse(a->cases[k].outcome, worst->outcome))
				worst = &a->cases[k];
		}
		strbuf_addstr(out, "<tr><td><strong>");
		markup_escape(out, cb->title ? cb->title : cb->name);
		strbuf_addstr(out, "</strong><div class=\"muted\"><code>");
		markup_escape(out, cb->wc_api ? cb->wc_api : cb->path);
		strbuf_addstr(out, "</code> (");
		markup_escape(out, cb->name);
		strbuf_addstr(out, ")</div></td><td>");
		markup_escape(out, cb->sender);
		strbuf_addstr(out, "</td><td>");
		if (worst->outcome == OUT_PASSED)
			strbuf_addstr(out, "<span class=\"v passed\">Gets through</span>");
		else if (worst->outcome == OUT_BLOCKED)
			strbuf_addf(out, "<span class=\"v blocked\">Blocked (%d)</span>", worst->status);
		else
			strbuf_addstr(out, "<span class=\"v would\">Would be blocked</span>"
				      "<div class=\"muted\">the firewall only logs today</div>");
		if (nforms > 1 && nbad)
			strbuf_addf(out, "<div class=\"muted\">%zu of %zu address forms</div>", nbad, nforms);
		strbuf_addstr(out, "</td><td>");
		if (worst->outcome != OUT_PASSED)
			why(worst, out);
		strbuf_addstr(out, "</td></tr>\n");
	}
	strbuf_addstr(out, "</table>\n");
}

static void changes(const struct audit *a, const struct report_opts *o, struct strbuf *out)
{
	struct strbuf t = STRBUF_INIT;
	if (!a->nexcl)
		return;
	strbuf_addstr(out, "<h3>What the host must change</h3>\n<ol>\n");
	for (size_t i = 0; i < a->nexcl; i++) {
		const struct exclusion *x = &a->excl[i];
		strbuf_addstr(out, "<li>Let <strong>");
		markup_escape(out, x->cb->title ? x->cb->title : x->cb->name);
		strbuf_addf(out, "</strong> past rule %ld", x->rule_id);
		if (x->scope == EXCL_TARGET) {
			strbuf_addstr(out, " for ");
			for (size_t k = 0; k < x->ntargets; k++) {
				if (k)
					strbuf_addstr(out, ", ");
				plain_variable(x->targets[k], out);
			}
			strbuf_addstr(out, " only");
		} else if (x->scope == EXCL_ENGINE_OFF) {
			strbuf_addstr(out, " by switching the firewall off for this address (risky: nothing is inspected there)");
		}
		strbuf_addstr(out, ", on this callback's address only. ");
		strbuf_addstr(out, x->verified ? "Checked: the callback gets through with it and attacks are still caught."
					       : "<strong>Not verified</strong>: see the full report.");
		strbuf_addstr(out, "</li>\n");
	}
	strbuf_addstr(out, "</ol>\n<p>Hand this to the hosting provider: ModSecurity configuration to load before the "
		      "firewall's rule set (for example in the file CRS calls "
		      "<code>REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf</code>).</p>\n<pre>");
	dialect_render(D_RUNTIME, a->excl, a->nexcl, o->version, &t);
	markup_escape(out, t.buf);
	strbuf_addstr(out, "</pre>\n");
	strbuf_release(&t);
}

void report_html(const struct host_result *h, size_t n, const struct report_opts *o, struct strbuf *out)
{
	size_t total = 0, blocked = 0, would = 0, hosts_bad = 0, errors = 0;

	for (size_t i = 0; i < n; i++) {
		size_t p, b, w;
		if (!h[i].a) {
			errors += h[i].error != NULL;
			continue;
		}
		audit_counts(h[i].a, &p, &b, &w);
		hosts_bad += b + w > 0;
		/* counted per callback, as the tables show them (URL forms folded) */
		for (size_t k = 0; k < h[i].a->ncases; k++) {
			const struct audit_case *c = &h[i].a->cases[k];
			enum outcome worst = OUT_PASSED;
			int seen = 0;
			for (size_t j = 0; j < k; j++)
				seen |= h[i].a->cases[j].cb == c->cb;
			if (seen)
				continue;
			for (size_t j = k; j < h[i].a->ncases; j++)
				if (h[i].a->cases[j].cb == c->cb && worse(h[i].a->cases[j].outcome, worst))
					worst = h[i].a->cases[j].outcome;
			total++;
			blocked += worst == OUT_BLOCKED;
			would += worst == OUT_WOULD_BLOCK;
		}
	}
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Payment callbacks: ");
	markup_escape(out, n == 1 ? h[0].host : "all hosts");
	strbuf_addf(out, "</title>\n<style>%s</style></head><body>\n", style);
	strbuf_addstr(out, "<h1>Do payment notifications reach the shop?</h1>\n"
		      "<p class=\"muted\">Payment providers (Klarna and others) tell the shop about each order "
		      "by calling it from their servers. If the web application firewall (ModSecurity) blocks "
		      "those calls, orders stay &ldquo;pending payment&rdquo;. This report replays the calls "
		      "through the server's real firewall rules.</p>\n");
	if (blocked || would)
		strbuf_addf(out, "<p id=\"summary\" class=\"summary %s\">%zu of %zu payment callbacks are %s by the firewall"
			    " on %zu of %zu host%s.</p>\n", blocked ? "bad" : "warn", blocked + would, total,
			    blocked ? "blocked" : "would be blocked", hosts_bad, n, n == 1 ? "" : "s");
	else if (!errors)
		strbuf_addf(out, "<p id=\"summary\" class=\"summary good\">All %zu payment callbacks get through the firewall"
			    " on %zu host%s.</p>\n", total, n, n == 1 ? "" : "s");
	else
		strbuf_addf(out, "<p id=\"summary\" class=\"summary warn\">%zu of %zu hosts could not be checked.</p>\n",
			    errors, n);
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(out, "<h2>");
		markup_escape(out, h[i].host);
		strbuf_addstr(out, "</h2>\n");
		if (h[i].aliases && *h[i].aliases) {
			strbuf_addstr(out, "<p class=\"muted\">also known as ");
			markup_escape(out, h[i].aliases);
			strbuf_addstr(out, "</p>\n");
		}
		if (!h[i].a) {
			strbuf_addf(out, "<p class=\"summary %s\">Not checked: ", h[i].error ? "warn" : "good");
			markup_escape(out, h[i].error ? h[i].error : h[i].plugins);
			strbuf_addstr(out, "</p>\n");
			continue;
		}
		strbuf_addf(out, "<p>Firewall: <strong>%s</strong>", engine_mode_name(h[i].a->mode));
		if (h[i].a->mode == MODE_OFF)
			strbuf_addstr(out, " (it does not run its rules; the results show what switching it on would block)");
		else if (h[i].a->mode != MODE_ON)
			strbuf_addstr(out, " (it only logs; &ldquo;would be blocked&rdquo; is what happens once it is switched on)");
		strbuf_addstr(out, "</p>\n");
		if (h[i].plugins) {
			strbuf_addstr(out, "<p>Installed payment plugins: ");
			markup_escape(out, h[i].plugins);
			strbuf_addstr(out, "</p>\n");
		}
		callback_rows(h[i].a, out);
		changes(h[i].a, o, out);
	}
	strbuf_addf(out, "<p class=\"muted\">modsec-callback-audit %s", o->version);
	if (n && h[0].a && h[0].a->library) {
		strbuf_addstr(out, " on ");
		markup_escape(out, h[0].a->library);
	}
	strbuf_addstr(out, "</p>\n</body></html>\n");
}
