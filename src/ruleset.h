/*
 * ruleset: a server's ModSecurity configuration, read by us, made safe to
 * run, and indexed.
 *
 * A ruleset is a list of load units. A unit is what one msc_rules_add()
 * call gets: a -r file with everything it Includes, or inline text. (Units
 * matter: libmodsecurity allows one SecDefaultAction per phase per load,
 * the way nginx gives each modsecurity_rules_file its own load.)
 *
 * While reading, the loader
 *   - follows Include/IncludeOptional itself with glob(3) (libmodsecurity
 *     uses wordexp(), which runs shell expansions),
 *   - records and removes settings the audit overrides (SecRuleEngine) or
 *     must not apply (audit/debug logs, data and upload dirs),
 *   - removes actions and rules that would run code or reach the network
 *     (exec:, @inspectFile, @rbl, SecRemoteRules, SecRuleScript, data files
 *     named by URL or shell syntax), and directives libmodsecurity 3.0.9
 *     refuses; each removal becomes a `note` naming file:line,
 *   - makes data-file paths absolute (libmodsecurity resolves paths in
 *     rule text against the working directory only),
 *   - emits one line per directive, with a map from output line to the
 *     file:line it came from, and an index of rules by id.
 */
#ifndef MCA_RULESET_H
#define MCA_RULESET_H

#include <stddef.h>
#include "util/strbuf.h"

struct origin {
	const char *file;	/* interned: owned by the ruleset */
	int line;
};

struct ruleinfo {
	long id;
	struct origin at;
	size_t unit;
	int phase;		/* 0 when the rule names none */
	int chained;		/* the rule has chain links after it */
	int disruptive;		/* deny, drop, block, redirect, allow in its actions */
	int drops;		/* drop among them: a server closes the connection */
	int severity;		/* -1 when unset */
	int score_tx;		/* anomaly score added (0: none); resolved at lookup */
	char *score_expr;	/* the setvar value ("+5", "+%{tx.critical_anomaly_score}") */
	char *vars;		/* first link's variables, as written */
	char *op;		/* first link's operator, as written */
	char *msg;
	char **tags;
	size_t ntags;
};

struct note {
	struct origin at;	/* the first place */
	char *what;		/* "SecAuditLog: not applied (...)" */
	int count;		/* places with the same note */
};

struct load_unit {
	char *name;		/* the path given, or "(command line)" */
	struct strbuf text;	/* what goes to msc_rules_add() */
	struct origin *map;	/* map[i] = origin of output line i+1 */
	size_t nmap, amap;
	int rules;
};

struct ruleset {
	struct load_unit *units;
	size_t nunits, aunits;
	char **files;
	size_t nfiles, afiles;
	struct ruleinfo *rules;
	size_t nrules, arules;
	struct note *notes;
	size_t nnotes, anotes;
	char *rule_engine;		/* last SecRuleEngine value, NULL if unset */
	struct origin rule_engine_at;
	int severity_score[4];		/* tx.{critical,error,warning,notice}_anomaly_score */
	int inbound_threshold;		/* tx.inbound_anomaly_score_threshold, 0 unknown */
};

void ruleset_init(struct ruleset *rs);
void ruleset_release(struct ruleset *rs);

/* Add a unit from a file (following its Includes), or from text. A path
 * with glob characters (a directory then "*.conf") names every file it matches, in
 * order, as one unit (like an Include). On error returns -1 with
 * "file:line: reason" in `err`. */
int ruleset_add_file(struct ruleset *rs, const char *path, struct strbuf *err);
int ruleset_add_text(struct ruleset *rs, const char *name, const char *text,
		     struct strbuf *err);

/* The rule with this id, or NULL. */
const struct ruleinfo *ruleset_find(const struct ruleset *rs, long id);

/* Where output line `line` (1-based) of unit `u` came from. */
struct origin ruleset_origin(const struct ruleset *rs, size_t u, int line);

/* The anomaly score a rule adds when it matches (0 if none). */
int ruleset_rule_score(const struct ruleset *rs, const struct ruleinfo *ri);

#endif
