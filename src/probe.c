#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static char *new_marker(void)
{
	unsigned char r[8];
	char *m = xmalloc(17);
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* no entropy source: time and pid still differ per request */
		static unsigned long n;
		unsigned long long x = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32) ^ ++n;
		memcpy(r, &x, sizeof(r));
	}
	for (int i = 0; i < 8; i++)
		snprintf(m + 2 * i, 3, "%02x", r[i]);
	return m;
}

/* The path part of `base` ("" for https://shop.example.com). */
static const char *base_path(const char *base)
{
	const char *h = strstr(base, "://");
	const char *s = h ? strchr(h + 3, '/') : NULL;
	return s ? s : "";
}

static int load(const struct probe_opts *o, struct probe *p, struct strbuf *err)
{
	struct selection *sel = NULL;
	size_t n;
	struct build_params bp = o->params;
	struct strbuf why = STRBUF_INIT;

	if (http_parse_base(o->url, &p->base, &p->host, &why) < 0) {
		strbuf_addf(err, "probe: %s", why.buf);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	for (size_t i = 0; i < o->nsources; i++) {
		int r = o->sources[i].is_text
			? ruleset_add_text(&p->rs, "(command line)", o->sources[i].value, err)
			: ruleset_add_file(&p->rs, o->sources[i].value, err);
		if (r < 0)
			return -1;
	}
	if (o->checks_only)
		return 0;
	if (catalog_load(&p->cat, o->catalogue, err) < 0)
		return -1;
	if (catalog_select(&p->cat, o->providers, o->names, o->nnames, o->kco_version, o->forms, &sel, &n, err) < 0)
		return -1;
	if (!bp.host)
		bp.host = p->host;
	p->cases = xcalloc(n, sizeof(*p->cases));
	for (size_t i = 0; i < n; i++) {
		struct probe_case *c = &p->cases[p->ncases++];
		struct response resp;
		char *hv, *full;
		c->cb = sel[i].cb;
		c->form = sel[i].form;
		callback_request(&p->cat, c->cb, c->form, &bp, &c->req, &resp);
		response_release(&resp);
		c->marker = new_marker();
		hv = xasprintf("probe %s", c->marker);
		request_set_header(&c->req, PROBE_HEADER, hv);
		free(hv);
		full = xasprintf("%s%s", base_path(p->base), c->req.uri);
		c->path = uri_decode_path(full);
		free(full);
	}
	free(sel);
	return 0;
}

/* What the error log says about one answer. */
static void read_log(struct probe *p, struct errorlog *el, struct probe_case *c)
{
	struct txresult tx;
	c->have_log = 1;
	c->corr = errorlog_collect(el, c->marker, c->path, &tx, &c->unique_id);
	verdict_from(&p->rs, &tx, &c->v);
	txresult_release(&tx);
	if (c->v.disrupted && c->cls.verdict == PV_BLOCKED &&
	    (!c->cls.blocker || !strcmp(c->cls.blocker, "modsecurity") || !strcmp(c->cls.blocker, "unknown"))) {
		c->cls.blocker = "modsecurity";
		c->cls.evidence = "the error log has ModSecurity's deny for this request";
	} else if (c->v.disrupted && c->cls.verdict != PV_BLOCKED) {
		c->cls.evidence = "the error log has a ModSecurity deny, but the answer is not a block "
				  "(DetectionOnly, or another layer answered)";
	} else if (!c->v.disrupted && c->cls.verdict == PV_BLOCKED &&
		   !strcmp(c->cls.blocker, "unknown")) {
		c->cls.evidence = "a generic 403/406/501, and the error log has no ModSecurity deny for it "
				  "(the server's own access rules or the application answered)";
	}
}

static void readiness(const struct probe_opts *o, struct probe *p)
{
	struct readiness_opts ro;
	memset(&ro, 0, sizeof(ro));
	ro.base = p->base;
	ro.host = o->params.host ? o->params.host : p->host;
	ro.dns_host = ro.host;
	ro.http_url = o->http_url;
	ro.http = o->http;
	ro.checks = o->checks;
	ro.dry_run = o->dry_run;
	readiness_run(&ro, &p->rd);
}

int probe_run(const struct probe_opts *o, struct probe *p, struct strbuf *err)
{
	struct errorlog el;
	int have_log = 0;

	memset(p, 0, sizeof(*p));
	ruleset_init(&p->rs);
	p->dry_run = o->dry_run;
	p->http = o->http;
	if (load(o, p, err) < 0)
		return -1;
	if (o->dry_run) {
		readiness(o, p);
		return 0;
	}
	if (o->error_log) {
		if (errorlog_open(&el, o->error_log, o->settle_ms, err) < 0)
			return -1;
		have_log = p->have_log = 1;
	}
	if (http_global_init() < 0) {
		strbuf_addstr(err, "probe: libcurl failed to initialise");
		if (have_log)
			errorlog_close(&el);
		return -1;
	}
	readiness(o, p);
	for (size_t i = 0; i < p->ncases; i++) {
		struct probe_case *c = &p->cases[i];
		if (have_log)
			errorlog_mark(&el);
		http_send(p->base, &c->req, &o->http, &c->ans);
		classify_answer(&c->ans, &c->cls);
		if (have_log)
			read_log(p, &el, c);
	}
	http_global_cleanup();
	if (have_log)
		errorlog_close(&el);
	return 0;
}

void probe_release(struct probe *p)
{
	for (size_t i = 0; i < p->ncases; i++) {
		struct probe_case *c = &p->cases[i];
		request_release(&c->req);
		http_answer_release(&c->ans);
		verdict_release(&c->v);
		free(c->marker);
		free(c->path);
		free(c->unique_id);
	}
	free(p->cases);
	readiness_release(&p->rd);
	catalog_release(&p->cat);
	ruleset_release(&p->rs);
	free(p->base);
	free(p->host);
	memset(p, 0, sizeof(*p));
}

void probe_counts(const struct probe *p, size_t *passed, size_t *blocked, size_t *errors,
		  size_t *other)
{
	*passed = *blocked = *errors = *other = 0;
	for (size_t i = 0; i < p->ncases; i++) {
		switch (p->cases[i].cls.verdict) {
		case PV_PASSED: (*passed)++; break;
		case PV_BLOCKED: (*blocked)++; break;
		case PV_ERROR: (*errors)++; break;
		case PV_OTHER: (*other)++; break;
		}
	}
}
