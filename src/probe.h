/*
 * probe: the pipeline behind `modsec-callback-audit probe URL`.
 *
 *   catalogue -> selected callbacks x URL forms -> requests (the audit's
 *   builder, with a fake Klarna order id and a marker header per request)
 *   -> sent one at a time to the live site (http.c) -> each answer
 *   classified (classify.c) -> with --error-log, the ModSecurity lines it
 *   caused (errorlog.c) -> with -r, read like the audit reads its engine's
 *   lines (verdict.c), so anomaly contributors are named the same way
 *
 * Requests go one at a time, so the error log can be read between them.
 * Nothing is sent with dry_run; the requests are still built.
 * A probe owns everything it points to (probe_release).
 */
#ifndef MCA_PROBE_H
#define MCA_PROBE_H

#include "audit.h"
#include "catalog.h"
#include "classify.h"
#include "errorlog.h"
#include "http.h"
#include "readiness.h"
#include "ruleset.h"
#include "verdict.h"

/* The header naming the tool on every probe: "probe <marker>". */
#define PROBE_HEADER "X-Modsec-Callback-Audit"
/* A Klarna order id no shop has: the callbacks reach the plugin as
 * unknown orders. */
#define PROBE_FAKE_ORDER_ID "00000000-0000-4000-8000-000000000000"

struct probe_opts {
	const char *url;		/* the shop's home URL */
	const char *catalogue;
	const char *const *names;
	size_t nnames;
	const char *providers;		/* --provider list, NULL = all */
	const char *kco_version;
	unsigned forms;
	struct build_params params;	/* host NULL = the URL's */
	struct http_opts http;
	const char *error_log;		/* NULL = none */
	int settle_ms;
	const struct rule_source *sources;	/* the server's rules, to name contributors */
	size_t nsources;
	int dry_run;
	unsigned checks;		/* readiness checks (enum rd_check bits) */
	const char *http_url;		/* --http-url: the site's http:// URL */
	int checks_only;		/* --checks-only: no callbacks */
};

struct probe_case {
	const struct callback *cb;
	enum url_form form;
	struct request req;
	char *marker;			/* 16 hex digits */
	char *path;			/* decoded path as the server logs it */
	struct http_answer ans;
	struct classification cls;
	int have_log;			/* --error-log was read for it */
	enum corr corr;
	char *unique_id;		/* the server's transaction id, when found */
	struct verdict v;		/* from the error log lines */
};

struct probe {
	struct catalog cat;
	struct ruleset rs;
	char *base;			/* URL without trailing slash */
	char *host;			/* Host header */
	struct probe_case *cases;
	size_t ncases;
	struct http_opts http;		/* as sent (the dry run's curl commands) */
	int dry_run;
	int have_log;
	struct readiness rd;		/* the readiness checks' results */
};

/* Load, build and (unless dry_run) send. -1 with "file:line: reason" or
 * "--option: reason" in `err` for bad input (exit 2). */
int probe_run(const struct probe_opts *o, struct probe *p, struct strbuf *err);
void probe_release(struct probe *p);

/* Counts for the summary and the exit status. */
void probe_counts(const struct probe *p, size_t *passed, size_t *blocked, size_t *errors,
		  size_t *other);

#endif
