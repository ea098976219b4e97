/*
 * logs_report: what the logs add up to, per catalogue callback and for the
 * payment requests no callback matches, and the text and JSON writers.
 *
 * Records stream through logs_tally_add(); what is kept is bounded by what
 * the logs are about, not by their size: per callback the counts, times,
 * statuses, rule ids (with their messages), source addresses and order ids
 * (LOGS_MAX_SET each, the rest counted), and at most LOGS_MAX_REPLAY
 * distinct blocked requests (one per URL form and set of rules) for the
 * replay; unmatched payment requests are grouped by method, path and
 * User-Agent (LOGS_MAX_UNMATCHED groups).
 */
#ifndef MCA_LOGS_REPORT_H
#define MCA_LOGS_REPORT_H

#include "audit.h"
#include "catalog.h"
#include "logrec.h"
#include "logread.h"

#define LOGS_MAX_SET 10000
#define LOGS_MAX_REPLAY 8
#define LOGS_MAX_UNMATCHED 1000
#define LOGS_MAX_SKIPS 20

struct strset {
	char **v;		/* in first-seen order */
	size_t n, alloc;
	size_t *slots;		/* open addressing: index + 1, 0 = empty */
	size_t nslots;
	size_t dropped;		/* not kept: the set was full */
	size_t cap;		/* most kept, 0 = LOGS_MAX_SET */
};

struct rule_tally {
	long id;
	char *msg;
	size_t blocking;	/* requests it refused */
	size_t contributing;	/* requests it matched without refusing */
};

struct tally {
	size_t blocked;
	long long first, last;
	int statuses[8];
	size_t nstatuses;
	struct rule_tally *rules;
	size_t nrules, arules;
	struct strset ips, orders;
	size_t without_detail;	/* from error logs: no headers or body */
};

struct logged_request {
	enum url_form form;
	char *key;		/* form and rule ids: one request per key */
	struct request req;
};

struct cb_tally {
	const struct callback *cb;
	struct tally t;
	struct logged_request *replay;
	size_t nreplay;
	int replayed;		/* replayed through today's rules */
	int still_blocked;	/* then: some replayed request is still refused */
	long still_by;		/* by this rule */
};

struct unmatched {
	char *method, *path, *ua;
	struct tally t;
};

struct skip {
	char *file;
	long line;
	char *why;
};

struct logs_report {
	const struct catalog *cat;
	struct cb_tally *cbs;		/* one per catalogue entry */
	struct unmatched *un;
	size_t nun, aun, un_dropped;
	size_t records, blocked, in_range;
	/* unique_ids of the blocked payment requests an audit log recorded:
	 * the same transaction in an error log (read after the audit logs)
	 * is not counted twice */
	struct strset audited;
	size_t duplicates;
	size_t nskips;			/* all of them */
	struct skip skips[LOGS_MAX_SKIPS];
	long long first, last;		/* of the records read */
	long long since, until;		/* 0 = open */
	int engines;			/* bit 2: v2 seen, bit 3: v3 seen */
	int show_requests;
	struct logread_stats st;
	const struct audit *audit;	/* the replay, when rules were given */
	unsigned dialects;
	const char *version;
	int color;
};

void logs_report_init(struct logs_report *lr, const struct catalog *cat);
void logs_report_release(struct logs_report *lr);
/* The sink the readers report to. */
void logs_report_sink(struct logs_report *lr, struct logsink *sink);

/* The counts for the exit status and the summary. */
size_t logs_callbacks_blocked(const struct logs_report *lr);
/* The replay's results onto the callbacks (after audit_run). */
void logs_report_replayed(struct logs_report *lr, const struct audit *a);

void logs_report_text(const struct logs_report *lr, struct strbuf *out);
void logs_report_json(const struct logs_report *lr, struct strbuf *out);

#endif
