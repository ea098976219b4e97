/*
 * audit: the pipeline behind the main command.
 *
 *   rule units -> ruleset (read, made safe) -> engine
 *   catalogue  -> selected callbacks x URL forms -> requests
 *   round 1: every request through the server's rules as they are
 *   rounds 2..: exclusions for what blocked, loaded before the server's
 *               rules; re-run; a blocker that was masked by the first shows
 *               up now and gets its own; a target exclusion that did not
 *               work is widened to the rule
 *   verified = the callback passes in every URL form with the file loaded
 */
#ifndef MCA_AUDIT_H
#define MCA_AUDIT_H

#include "catalog.h"
#include "exclusion.h"
#include "ruleset.h"
#include "verdict.h"

struct txmemo;

struct rule_source {
	int is_text;		/* 1: inline rules, 0: a file path */
	const char *value;
};

/* A request a server logged, to replay instead of the catalogue's own
 * (the logs command): the callback it is, its URL form, the request. */
struct replay_req {
	const char *callback;		/* a name in the catalogue */
	enum url_form form;
	const struct request *req;
};

struct audit_opts {
	const struct rule_source *sources;
	size_t nsources;
	const char *catalogue;
	const char *const *names;	/* --callback; none = all */
	size_t nnames;
	const char *providers;		/* --provider list, NULL = all */
	const char *kco_version;	/* NULL = every version */
	unsigned forms;			/* URL forms for wc-api callbacks */
	struct build_params params;
	long id_base;
	int id_base_given;		/* --exclusion-id-base given: its block must be free */
	int max_rounds;
	int paranoia;			/* CRS blocking paranoia level to impose, 0 = as configured */
	int threshold;			/* inbound anomaly threshold to impose, 0 = as configured */
	int sweep;			/* also run at paranoia levels 1-4 (--paranoia-sweep) */
	const unsigned char *settled;	/* the sweep: cases a lower level blocks already
					 * (not run; NULL = run every case) */
	int attack_probes;		/* prove the exclusions' scope (default on) */
	const char *source_ips;		/* --source-ip: exclusions also require these */
	int verify_startup;		/* also verify the startup form (a startup-based dialect) */
	int engine_v2;			/* the audited server runs ModSecurity 2: emulate it */
	const char *server_config;	/* --server-config: an Apache or nginx configuration to follow */
	const char *root;		/* --root: read DIR/etc/... for the server's /etc/... */
	int allow_lua;			/* --allow-lua: run the rule set's Lua (trusted sets only) */
	int vhost_only;			/* read only the N-th <VirtualHost> / server {} (ruleset.h) */
	int pcre;			/* --pcre: the server's regex library (1, 2; 0: by engine and layout) */
	const struct replay_req *replay;	/* when set: these requests are the cases */
	size_t nreplay;
};

enum outcome { OUT_PASSED, OUT_BLOCKED, OUT_WOULD_BLOCK };
const char *outcome_name(enum outcome o);

/* One rule that blocks a case, in the order they were found: round 1 is
 * the server as it is; round N shows what the callback's own exclusions
 * of rounds 1..N-1 unmasked (unmask.c). */
struct found_blocker {
	long id;
	int round;
	int phase;
	enum role role;
	int score;		/* anomaly contributors: what the rule added */
	char *variable;		/* what it matched (a chain's first link when known) */
	char *chain_last;	/* a chain's last link's variable, or NULL */
	char *value;		/* the matched value, when logged */
	char *msg;
	char *file;		/* where the rule is */
	int line;
	int evaluation;		/* the disruptive rule sums scores (949110-style) */
};

struct audit_case {
	const struct callback *cb;
	enum url_form form;
	struct request req;
	struct response resp;
	struct verdict v;		/* the server's rules as they are */
	enum outcome outcome;
	int status;			/* what the client receives */
	int fixed;			/* passes with the exclusions loaded */
	long still_blocked_by;		/* else: the rule that still blocks */
	struct found_blocker *found;	/* every blocker, unmasked per callback */
	size_t nfound;
	int represented;		/* an unmasking round took another form's result */
	int all_forms;			/* unmask every form of its callback (unmask.c) */
};

enum engine_mode { MODE_ON, MODE_DETECTION_ONLY, MODE_OFF, MODE_UNSET };

/* Where an audit's time goes (the report's work.seconds, `make bench`):
 * reading and fitting the rules; round 1, every callback request once as
 * the server is (the least any answer costs); finding every blocker and
 * verifying the exclusions; the attack probes; the startup form; the
 * paranoia sweep's levels. */
enum audit_stage { STAGE_LOAD, STAGE_ROUND1, STAGE_UNMASK, STAGE_PROBES, STAGE_STARTUP, STAGE_SWEEP,
		   AUDIT_STAGES };
const char *audit_stage_name(enum audit_stage s);

/* --paranoia-sweep: per case, the first paranoia level that blocks it. */
struct sweep_row {
	int first_level;		/* 1-4, 0 = passes at every level */
	long *ids;			/* what blocks it there (blocking rules) */
	size_t nids;
};

/* One attack probe, run against the server's rules as they are and with
 * the exclusions loaded. */
enum attack_outcome {
	ATT_STILL_CAUGHT,	/* caught before and after */
	ATT_REMOVED,		/* let through on a callback path an exclusion covers: its cost */
	ATT_LEAKED,		/* let through beyond what the exclusions claim: rejected */
	ATT_NOT_CAUGHT,		/* the server's rules did not catch it anyway */
	ATT_UNTOUCHED,		/* no exclusion fires for it (witness.h): the exclusions
				 * cannot change its verdict, so it is not run */
	ATT_COUNT
};

struct attack_result {
	char *name;
	const struct callback *cb;	/* the callback path it was sent to, NULL elsewhere */
	char *uri;
	long before, after;		/* disruptive rule ids, 0 = passed; before is
					 * run only for a probe let through with the
					 * exclusions (before_run): one still caught
					 * with them was caught without them */
	int before_run;
	enum attack_outcome outcome;
};

/* Something that makes a pass untrue (warnings.h has the codes). */
struct audit_warning {
	const char *code;	/* static: "request_body_not_inspected" */
	char *message;
	char *file;		/* NULL when no one place is to blame */
	int line;
};

struct audit {
	struct ruleset rs;
	struct catalog cat;
	struct audit_case *cases;
	size_t ncases;
	struct exclusion *excl;
	size_t nexcl;
	int rounds;
	struct sweep_row *sweep;	/* ncases rows when swept, else NULL */
	struct attack_result *attacks;	/* when there are exclusions */
	size_t nattacks;
	enum engine_mode mode;
	const char *order_id;	/* the Klarna order id the requests carry */
	const char *source_ips;
	int startup_checked;	/* the startup form was verified too */
	int engine_v2;		/* verdicts emulate ModSecurity 2 where it differs */
	char *library;		/* "ModSecurity v3.0.9 (Linux)" */
	/* Work done (the report's closing line, `make bench`): */
	unsigned long transactions;	/* transactions run (the whole audit, sweep included) */
	unsigned long units_parsed;	/* rule units libmodsecurity parsed */
	unsigned long engines;		/* engines built (each merges the parsed units) */
	unsigned long rule_sets;	/* libmodsecurity rule sets built (parses, fitting checks, engines) */
	unsigned long runs_skipped;	/* case runs skipped: an equal transaction had run (txmemo.h), or another URL form stood for it (unmask.c) */
	unsigned long probe_runs;	/* attack probe transactions run */
	unsigned long probe_runs_skipped;	/* probe runs skipped: no exclusion fires for them, or an equal one ran */
	double seconds[AUDIT_STAGES];	/* wall time per stage (the sweep's levels in SWEEP) */
	const unsigned char *settled;	/* the sweep's cases not to run (audit_opts) */
	struct txmemo *memo;	/* results of the callbacks' transactions (txmemo.h) */
	const char *host;	/* --host */
	const char *kco_version;	/* --kco-version, NULL = every version */
	struct audit_warning *warnings;
	size_t nwarnings;
};

/* Read the rule units (and --server-config) into `rs` as the audit does,
 * and fit them to libmodsecurity. -1 with file:line in `err` on errors. */
int audit_load_rules(const struct audit_opts *o, struct ruleset *rs, struct strbuf *err);
/* The same without fitting them to libmodsecurity (no library call: what
 * --all-hosts compares between hosts before it audits one). */
int audit_read_rules(const struct audit_opts *o, struct ruleset *rs, struct strbuf *err);

/* Run the whole audit. Returns 0, or -1 with "file:line: reason" in
 * `err` for load and usage errors (exit status 2). */
int audit_run(const struct audit_opts *o, struct audit *a, struct strbuf *err);
/* The audit's defaults, as the audit and logs commands start from them:
 * WooCommerce's URL forms, exclusion ids from 10000, 8 rounds, attack
 * probes on, the catalogue's build defaults; everything else zero. */
void audit_opts_init(struct audit_opts *o);

void audit_release(struct audit *a);

const char *engine_mode_name(enum engine_mode m);
/* Is this server configuration nginx's (else Apache's)? */
int server_is_nginx(const char *config);
const char *attack_outcome_name(enum attack_outcome o);

/* Does attack result `r` concern exclusion `x` (sent to one of its
 * callbacks' paths, or elsewhere, which every exclusion must leave alone)? */
int attack_concerns(const struct attack_result *r, const struct exclusion *x);

/* Counts for the summary. */
void audit_counts(const struct audit *a, size_t *passed, size_t *blocked, size_t *would);

#endif
