/*
 * report: the writers of an audit's result (audit.h) and of a probe's
 * (probe.h). Each appends to a buffer; the caller decides where it goes.
 */
#ifndef MCA_REPORT_H
#define MCA_REPORT_H

#include "audit.h"
#include "probe.h"
#include "util/strbuf.h"

struct host_result;

struct report_opts {
	int color;		/* ANSI colours (text only) */
	const char *version;	/* the tool's */
	unsigned dialects;	/* exclusion dialects to show (bit set of enum dialect) */
	int verbose;		/* --verbose: every note, match and request */
	const char *excl_file;	/* --exclusions FILE, for the summary's advice */
	const char *excl_dir;	/* --exclusions-dir DIR */
	const char *layout;	/* the server layout (--discover), for where to include */
	const struct host_result *shop;	/* --host with a server configuration: its document
					 * root and plugins (NULL: not looked at) */
};

/* The "blocking_rules" array of a verdict, shared by the audit's and the
 * probe's JSON (a cJSON array; the caller adds it to an object). */
struct cJSON;
struct cJSON *blocking_rules_json(const struct verdict *v);

/* The text report: the summary (report_summary), then the details. */
void report_text(const struct audit *a, const struct report_opts *o, struct strbuf *out);
/* The answer first, on one screen: warnings, a line per callback (URL
 * forms folded when they agree) with its verdict and every blocking id,
 * then one line saying what to do (report_summary.c). */
void report_summary(const struct audit *a, const struct report_opts *o, struct strbuf *out);
void report_json(const struct audit *a, const struct report_opts *o, struct strbuf *out);

/* The probe's: text (or the curl commands of a dry run) and JSON, whose
 * callbacks carry the audit's "name", "url_form", "request", "verdict",
 * "blocking_rules" and "matched_rules" so the two compare 1:1. */
void report_probe_text(const struct probe *p, const struct report_opts *o, struct strbuf *out);
void report_probe_json(const struct probe *p, const struct report_opts *o, struct strbuf *out);

/* "host", "where", "docroot", "plugins" of a host, added to a JSON
 * object (the single-host report's and the fleet's hosts' keys). */
void report_json_shop(struct cJSON *obj, const struct host_result *h);

/* A request as the JSON reports show it (report_json.c). */
struct cJSON;
struct cJSON *report_json_request(const struct request *r);

/*
 * Hosts: the unit of the CI and people-facing formats. A plain audit is
 * one host (--host); --all-hosts gives one per <VirtualHost>/server {}.
 * A host's audit may be shared with earlier hosts whose rules, engine and
 * callbacks are identical (fleet.c): then `a` points at the first one's
 * and `shared_with` names it. `a` is NULL when the host could not be
 * audited (`error` says why: a load error, exit status 2 for the run) or
 * had nothing to audit (no error: `plugins` says no payment plugin).
 */
struct host_result {
	char *host;		/* the name audited (ServerName, server_name) */
	char *aliases;		/* the other names, space-separated ("" when none) */
	char *where;		/* "<VirtualHost *:80> at file:line", "server {} at ..." */
	char *docroot;		/* DocumentRoot / root, NULL when the config sets none */
	char *plugins;		/* "Kustom Checkout 2.20.1: push only", ... or NULL (not looked) */
	const char *shared_with;	/* the host whose audit this one reuses */
	struct audit *a;
	char *error;
};

/* The exit status a host stands for: 0 passes, 1 blocked/would block/an
 * exclusion not verified, 2 not audited. */
int host_status(const struct host_result *h);

/* CI and people: a JUnit <testsuite> per host (a <testcase> per callback
 * and URL form), SARIF 2.1.0 (a result per blocked callback on the
 * blocking rule's file:line, the exclusion as its fix), one
 * self-contained HTML page for the shop owner. `exclusions_file` is the
 * name the fixes are written to (--exclusions, else a default). */
void report_junit(const struct host_result *h, size_t n, const struct report_opts *o, struct strbuf *out);
void report_sarif(const struct host_result *h, size_t n, const struct report_opts *o,
		  const char *exclusions_file, struct strbuf *out);
void report_html(const struct host_result *h, size_t n, const struct report_opts *o, struct strbuf *out);

/* Helpers shared by the writers (report_host.c). */
void markup_escape(struct strbuf *out, const char *s);	/* XML and HTML text and attributes */
/* The exclusions that let case `c` past one of its blocking rules. */
size_t case_fixes(const struct audit *a, const struct audit_case *c,
		  const struct exclusion **out, size_t max);
/* "kco-push [path]" */
void case_label(const struct audit_case *c, struct strbuf *out);

#endif
