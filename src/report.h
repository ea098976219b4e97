/*
 * report: the writers of an audit's result (audit.h) and of a probe's
 * (probe.h). Each appends to a buffer; the caller decides where it goes.
 */
#ifndef MCA_REPORT_H
#define MCA_REPORT_H

#include "audit.h"
#include "probe.h"
#include "util/strbuf.h"

struct report_opts {
	int color;		/* ANSI colours (text only) */
	const char *version;	/* the tool's */
	unsigned dialects;	/* exclusion dialects to show (bit set of enum dialect) */
	int verbose;		/* --verbose: every note, match and request */
	const char *excl_file;	/* --exclusions FILE, for the summary's advice */
	const char *excl_dir;	/* --exclusions-dir DIR */
	const char *layout;	/* the server layout (--discover), for where to include */
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

/* A request as the JSON reports show it (report_json.c). */
struct cJSON;
struct cJSON *report_json_request(const struct request *r);

#endif
