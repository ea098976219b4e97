/*
 * engine: the only module that talks to libmodsecurity.
 *
 * An engine holds one ModSecurity instance and one rule set. Rules are
 * added as text, unit by unit (see ruleset.h for why units); the engine
 * itself first loads a prelude that switches the rule engine On and audit
 * logging Off, so the audit can see what a blocking server would do and
 * writes nothing (the ruleset loader has removed the server's own
 * settings for these).
 *
 * engine_run() runs one request as a full transaction: connection, URI,
 * headers, body, then the given response through phases 3 and 4, then
 * logging. It stops at the first disruptive intervention, as a server
 * does. Log lines are collected per transaction through libmodsecurity's
 * callback data pointer: no globals, so an engine can serve one thread per
 * transaction once loading is done (loading itself is not thread-safe).
 *
 * Units are parsed once per process: engine_load_units() merges a parsed
 * copy kept per distinct unit text (msc_rules_merge shares the parsed
 * rules; see engine.c for why the result equals a fresh load), so the
 * audit's rounds, probes, verification, sweep levels and scopes cost one
 * parse per distinct text plus a cheap merge per engine. The cache lives
 * until exit (engine_parse_cache_release frees it, for tests and leak
 * checkers); MCA_PARSE_CACHE=0 in the environment parses in place.
 */
#ifndef MCA_ENGINE_H
#define MCA_ENGINE_H

#include <stddef.h>
#include "request.h"
#include "ruleset.h"
#include "util/strbuf.h"

struct engine;

struct txresult {
	char **lines;		/* log lines, in the order libmodsecurity gave them */
	size_t nlines, alines;
	int disrupted;		/* an intervention stopped the transaction */
	int status;		/* the intervention's status, or the response's */
	int phase;		/* phase of the intervention (1-5), 0 when none */
	char *intervention_log;	/* the blocking rule's line (not sent to the callback) */
	char *redirect_url;
};

/* Create an engine with the prelude loaded (SecRuleEngine On). Returns
 * NULL and explains in `err` on failure. */
struct engine *engine_new(struct strbuf *err);
/* The same with SecRuleEngine `rule_engine` ("On", "Off",
 * "DetectionOnly"; NULL leaves libmodsecurity's default, which evaluates
 * and logs but never disrupts). The test command passes the rule set's
 * own value, recorded by the ruleset reader. */
struct engine *engine_new_mode(const char *rule_engine, struct strbuf *err);

/* Load every unit of `rs`, in order. On error returns -1 with
 * "file:line: reason" in `err` (the server's file and line). */
int engine_load_ruleset(struct engine *e, const struct ruleset *rs, struct strbuf *err);
/* The same, choosing: inactive units (vhosts not serving the host) are
 * never loaded, scoped ones (<Location*>) only when their bit (unit index)
 * is set in `scoped`; engine_load_ruleset loads none of those. */
int engine_load_units(struct engine *e, const struct ruleset *rs, unsigned long long scoped,
		      struct strbuf *err);
void engine_free(struct engine *e);

/* Every later transaction of `e` starts with empty persistent collections
 * (IP, GLOBAL, SESSION, USER, RESOURCE), as the first request a server
 * sees from a client does: a transaction's result then depends on the
 * engine's rules and its request and response only, never on which
 * transactions ran before it on the engine (the audit's memo relies on
 * it, see txmemo.h). Each transaction gets its own ModSecurity instance
 * (~60 us), kept until engine_free. */
void engine_fresh_collections(struct engine *e);

/* Add one load unit. On error returns -1 and sets *err_line to the line
 * libmodsecurity names (0 when it names none) and `err` to its message. */
int engine_add_rules(struct engine *e, const char *text, int *err_line,
		     struct strbuf *err);

/* The same for a text every engine of a run loads unchanged (the imposed
 * settings): parsed once, then merged from the parse cache like a unit. */
int engine_add_cached(struct engine *e, const char *text, int *err_line, struct strbuf *err);

/* A unit's parse built piece by piece, each piece at its own lines (the
 * fitting step's loads, ruleset_fit.c, so that fitting a unit also parses
 * it): NULL when the parse cache is off. engine_unit_add: 0 when `piece`
 * (whole directives and chains) loads as lines line0+1... of the unit,
 * else -1 and nothing of it is kept. engine_unit_finish makes the set
 * the cached parse of `text` (the unit's text the pieces add up to) and
 * frees `b`; engine_unit_abandon drops it. Why the pieces make the same
 * engine as one load: a load in 3.0.9 is a fresh parser merged into the
 * set (RulesSet::load), the same merge that joins the pieces; a chain
 * never spans pieces; SecDefaultAction is read from the set when a rule
 * runs (the parser uses it only to refuse a second one per phase, which
 * the fitter checks with the defaults in force); and the pieces come in
 * order, so settings merge as within one load except a setting repeated
 * in a later piece (the first value stays): the fitter gives up the pieces
 * when one holds a directive other than a rule after the first piece. */
struct engine_unit;
struct engine_unit *engine_unit_begin(void);
int engine_unit_add(struct engine_unit *b, size_t line0, const char *piece);
void engine_unit_finish(struct engine_unit *b, const char *text);
void engine_unit_abandon(struct engine_unit *b);
/* Has engine_check_rules (or engine_check_remember) seen this text? And
 * record a text as one that loads (it did, as a unit's piece). */
int engine_check_known(const char *text);
void engine_check_remember(const char *text);

/* Use the parse cache (default) or parse every unit in place (the test
 * comparing merged and fresh engines). Call before building engines. */
void engine_parse_cache(int enable);
/* Free the cached parsed units. Safe at any time: engines hold their
 * own references to the rules they merged. */
void engine_parse_cache_release(void);

/* What the process has done so far: for the report and `make bench`. */
struct engine_stats {
	unsigned long parses;		/* server rule units parsed (cache misses) */
	unsigned long merges;		/* parsed units merged into engines */
	unsigned long engines;		/* engines built */
	unsigned long rule_sets;	/* libmodsecurity rule sets created */
	unsigned long transactions;	/* transactions run */
	unsigned long header_runs;	/* phase 1 only runs (witness.h) */
};
void engine_stats_get(struct engine_stats *out);

/* Does libmodsecurity accept `text` as one load? Parsed into a throwaway
 * rule set (no engine, nothing kept); results as engine_add_rules(). The
 * loader's fitting step asks this of directive groups. */
int engine_check_rules(const char *text, int *err_line, struct strbuf *err);

/* Run one transaction. `resp` may be NULL (a bare 200). */
void engine_run(struct engine *e, const struct request *req,
		const struct response *resp, struct txresult *out);
/* Only connection, URI and headers (phase 1), no logging phase: for the
 * witness (witness.h), whose rules are all phase 1. */
void engine_run_headers(struct engine *e, const struct request *req, struct txresult *out);
void txresult_release(struct txresult *r);

/* "libmodsecurity v3.0.9" style identification of the library. */
const char *engine_version(struct engine *e);

#endif
