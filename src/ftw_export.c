/* The audit's callbacks as go-ftw v2 tests: see ftw_export.h. */
#include "ftw_export.h"
#include "util/fileio.h"

#include <stdlib.h>
#include <string.h>

/* A YAML double-quoted scalar: every byte kept (UTF-8 as it is), quotes,
 * backslashes and control characters escaped. */
static void yq(struct strbuf *out, const char *s, size_t len)
{
	strbuf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_addf(out, "\\%c", c);
		else if (c == '\n')
			strbuf_addstr(out, "\\n");
		else if (c == '\r')
			strbuf_addstr(out, "\\r");
		else if (c == '\t')
			strbuf_addstr(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(out, "\\x%02x", c);
		else
			strbuf_addch(out, c);
	}
	strbuf_addch(out, '"');
}

static void yqs(struct strbuf *out, const char *s)
{
	yq(out, s ? s : "", s ? strlen(s) : 0);
}

static void headers(struct strbuf *out, const char *key, const struct header *h, size_t n, const char *pad)
{
	strbuf_addf(out, "%s%s:\n", pad, key);
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(out, "%s  - {name: ", pad);
		yqs(out, h[i].name);
		strbuf_addstr(out, ", value: ");
		yqs(out, h[i].value);
		strbuf_addstr(out, "}\n");
	}
}

void ftw_export_text(const struct audit *a, const char *version, struct strbuf *out)
{
	strbuf_addf(out,
		"# Payment callbacks as go-ftw tests (schema v2), written by modsec-callback-audit %s.\n"
		"# Each test is one callback in one URL form, sent exactly as the audit sent it; the\n"
		"# expected output is the audit's verdict on the audited rules (rule engine %s).\n"
		"# Replay against the live server:  go-ftw run -d . --config ftw.yaml\n"
		"# (with the server's error log configured), or through the rules:\n"
		"#   modsec-callback-audit test -r RULES... DIR\n"
		"---\n"
		"meta:\n"
		"  author: \"modsec-callback-audit %s\"\n"
		"  description: \"payment provider callbacks to a WooCommerce shop\"\n"
		"rule_id: 9847000\n"
		"tests:\n",
		version, engine_mode_name(a->mode), version);
	for (size_t i = 0; i < a->ncases; i++) {
		const struct audit_case *c = &a->cases[i];
		const struct request *r = &c->req;
		strbuf_addf(out, "  - test_id: %zu\n    desc: ", i + 1);
		{
			struct strbuf d = STRBUF_INIT;
			strbuf_addf(&d, "%s [%s]: %s (%s)", c->cb->name, url_form_name(c->form),
				    c->cb->title ? c->cb->title : "", outcome_name(c->outcome));
			yqs(out, d.buf);
			strbuf_release(&d);
		}
		strbuf_addstr(out, "\n    stages:\n      - input:\n          dest_addr: \"127.0.0.1\"\n"
			      "          port: 80\n          autocomplete_headers: false\n          method: ");
		yqs(out, r->method);
		strbuf_addstr(out, "\n          uri: ");
		yqs(out, r->uri);
		strbuf_addstr(out, "\n          version: ");
		{
			char *v = xasprintf("HTTP/%s", r->version);
			yqs(out, v);
			free(v);
		}
		strbuf_addch(out, '\n');
		headers(out, "ordered_headers", r->headers, r->nheaders, "          ");
		if (r->body_len) {
			strbuf_addstr(out, "          data: ");
			yq(out, r->body, r->body_len);
			strbuf_addch(out, '\n');
		}
		strbuf_addf(out, "          response:\n            status: %d\n", c->resp.status ? c->resp.status : 200);
		if (c->resp.nheaders)
			headers(out, "headers", c->resp.headers, c->resp.nheaders, "            ");
		if (c->resp.body && c->resp.body_len) {
			strbuf_addstr(out, "            data: ");
			yq(out, c->resp.body, c->resp.body_len);
			strbuf_addch(out, '\n');
		}
		strbuf_addf(out, "        output:\n          status: %d\n", c->status);
		/* an engine Off runs no rule: nothing is logged */
		if (c->v.disrupted && c->v.disruptive_id && a->mode != MODE_OFF)
			strbuf_addf(out, "          log:\n            expect_ids: [%ld]\n", c->v.disruptive_id);
	}
}

int ftw_export(const struct audit *a, const char *dir, const char *version, struct strbuf *err)
{
	struct strbuf t = STRBUF_INIT;
	char *path = xasprintf("%s/9847000-callbacks.yaml", dir);
	int r;
	ftw_export_text(a, version, &t);
	r = write_file_atomic(path, t.buf, t.len, err);
	free(path);
	strbuf_release(&t);
	return r;
}
