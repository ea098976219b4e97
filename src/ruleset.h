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
 *
 * The loader is a pipeline with one file per step (reading, Apache's
 * containers, neutralising, ModSecurity 2 meaning, fitting, the index):
 * see ruleset_priv.h. This header is all the rest of the tool uses.
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
	size_t *group;		/* group[i] = first output line (0-based) of line i's
				 * directive or chain: what is dropped together */
	size_t nmap, amap;
	int rules;
	char *vhost;		/* an Apache <VirtualHost>: its ServerName/Aliases, space-separated */
	size_t parent;		/* a <Location*> inside a vhost: that vhost's unit + 1 */
	int inactive;		/* a vhost not chosen for --host (or a location in one) */
	char *vhost_engine;	/* SecRuleEngine set inside the vhost */
	char *engine;		/* nginx: the last SecRuleEngine in this unit's rules */
	int http_level;		/* nginx: loaded at http {} level (merged before every server's) */
	struct origin engine_at;
	char *docroot;		/* the vhost's DocumentRoot (as the config says it), NULL if none */
	struct origin vhost_engine_at;
	char *scope;		/* NULL: every request; else a PCRE2 regex on the path
				 * (<Location>/<LocationMatch>): loaded only for requests
				 * whose path it matches, which libmodsecurity cannot express */
	void *scope_re;		/* compiled scope (pcre2_code) */
	int scope_kind;		/* what `scope` is matched against: SCOPE_PATH the
				 * request's path; SCOPE_FILE the file Apache maps
				 * it to (<Files*>); SCOPE_DIR the document root it is
				 * served from (<Directory*>) */
	struct origin scope_at;	/* the container's opening line (noted once kept) */
	struct strbuf pre;	/* a scope's SecRuleEngine, SecRuleRemoveBy..., SecRuleUpdateTargetById
				 * as phase-1 ctl: SecActions, loaded before every unit:
				 * ModSecurity 2 merges them into the request's
				 * configuration, so they hold for rules of every
				 * phase, the server's earlier ones included */
	size_t nloc;		/* SCOPE_NGINX: its innermost location, index + 1
				 * into ruleset.nlocs */
	size_t outer;		/* a scope inside another (<Files> in <Directory>):
				 * that unit + 1, which must apply too; else 0 */
	/* witness.c's notes on the fitted text, read once per audit: */
	int witness_read;	/* the notes below are set */
	int odd_separator;	/* SecArgumentSeparator other than '&' */
	long *named_ids;	/* ids SecRuleRemoveById/SecRuleUpdate*ById name, as lo, hi pairs */
	size_t nnamed;
};

/* SCOPE_NGINX: an nginx location's unit; it applies when nginx picks
 * that location (or one inside it) for the path (nginxconf.h). */
enum { SCOPE_PATH, SCOPE_FILE, SCOPE_DIR, SCOPE_NGINX };
enum { NLOC_PREFIX, NLOC_STOP, NLOC_EXACT, NLOC_REGEX };

struct ruleset {
	struct load_unit *units;
	size_t nunits, aunits;
	char **files;
	size_t nfiles, afiles;
	struct ruleinfo *rules;
	size_t nrules, arules;
	struct note *notes;
	size_t nnotes, anotes;
	char *rule_engine;		/* the SecRuleEngine value in effect, NULL if unset:
					 * ModSecurity 2 (Apache) keeps the last; libmodsecurity
					 * keeps the first load's (the last within that load) */
	struct origin rule_engine_at;
	size_t rule_engine_unit;	/* the load that set it, + 1 (0: none) */
	int severity_score[4];		/* tx.{critical,error,warning,notice}_anomaly_score */
	int inbound_threshold;		/* tx.inbound_anomaly_score_threshold, 0 unknown */
	int points_limit[5];		/* Comodo points mode: tx.points_limit1-4 ([1]-[4]) */
	int incoming_points_limit;	/* Comodo: tx.incoming_points_limit, 0 unknown */
	int engine_v2;			/* read as ModSecurity 2 would (set before adding units) */
	unsigned long v2_pcre_limit, v2_pcre_depth;	/* v2: SecPcreMatchLimit and
					 * ...Recursion as read so far (0: not set, mod_security2's
					 * default 1500); each @rx gets the values when read */
	int v2_comma;			/* a translated setvar value holds a comma: the tool's
					 * rules setting it load first (ruleset_override_text) */
	int preparse;			/* ruleset_fit's loads also build each unit's cached parse
					 * (engine_unit_*): for callers that build engines next */
	int allow_lua;			/* --allow-lua: keep exec: actions naming .lua scripts */
	int pcre;			/* the audited server's regex library: 1 (PCRE1) or 2;
					 * 0 until ruleset_default_pcre() or --pcre sets it */
	int server_fails;		/* findings: constructs the audited server itself refuses
					 * (it would not start); each is also a note */
	int apache;			/* reading an Apache server config: other directives are
					 * Apache's, Include is relative to ServerRoot */
	int nginx;			/* reading an nginx server config (ModSecurity-nginx,
					 * libmodsecurity 3.0.9 loads the rule files) */
	struct nginx_location {		/* every location {} of the servers read, in order */
		int server;		/* its server {} (1-based, reading order) */
		size_t parent;		/* the location it is nested in, index + 1; 0 none */
		int kind;		/* NLOC_PREFIX, NLOC_STOP (^~), NLOC_EXACT (=), NLOC_REGEX */
		char *arg;		/* the prefix or exact path; the regex (with (?i) for ~*) */
		void *re;		/* NLOC_REGEX compiled (pcre2_code), lazily */
	} *nlocs;
	size_t nnlocs, anlocs;
	char *server_root;		/* Apache's ServerRoot (as the config says it) */
	char *docroot;			/* the main server's DocumentRoot, NULL if none */
	char *server_name;		/* the main server's ServerName, NULL if none */
	int vhost_only;			/* read only the N-th <VirtualHost> (Apache) or
					 * server {}'s rules (nginx) (1-based, in reading
					 * order; 0 = all): --all-hosts, one host at a time,
					 * without reading every vhost's Includes */
	int vhost_seen;			/* <VirtualHost>s met so far */
	struct apache_define {		/* Define NAME [VALUE], in reading order */
		char *name;
		char *value;		/* NULL: defined without a value */
	} *defines;
	size_t ndefines, adefines;
	char **modules;			/* LoadModule: "security2_module" and "mod_security2.c" */
	size_t nmodules, amodules;
	int modules_known;		/* a LoadModule was read: <IfModule> tests them */
	char *root;			/* --root: read DIR/etc/... for /etc/... */
	int scoped_ids;			/* ids handed to location-scoped SecActions (99900-99989) */
	char *policy[4];		/* the value in force of tx.allowed_methods,
					 * tx.allowed_request_content_type, tx.allowed_http_versions,
					 * tx.allowed_request_content_type_charset (see settings.c) */
	struct tx_override {		/* --paranoia, --threshold: setvar values we impose */
		char *var;		/* "tx.paranoia_level" */
		char *value;
	} *overrides;
	size_t noverrides;
	char *v2_prelude;		/* ruleset_v2_prelude's text as ruleset_fit left the
					 * units (it reads every rule: ~10 ms on a Comodo set,
					 * once per engine before); NULL = compute it */
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

/* Impose a TX variable's value (call before adding units): every
 * `setvar:tx.NAME=...` the rules make gets this value instead, and
 * ruleset_override_text() sets it first thing in phase 1. */
void ruleset_override(struct ruleset *rs, const char *var, const char *value);
/* SecActions setting the overrides (ids 99990-99995, kept for the tool),
 * when a translated setvar needs it the comma (99996-99997), then, under
 * engine_v2, ruleset_v2_prelude's rules (99998-99999): to be loaded before
 * the server's rules; "" when there are none. */
void ruleset_override_text(const struct ruleset *rs, struct strbuf *out);
/* Under engine_v2: the rules (ids 99998-99999) that make REQUEST_BODY
 * exist only where ModSecurity 2 fills it (ruleset_v2_reqbody.c); "" when
 * no rule reads it, or under v3. */
void ruleset_v2_prelude(const struct ruleset *rs, struct strbuf *out);

/* The regex library of the audited server when --pcre does not say: for a
 * ModSecurity 2 server, what its mod_security2.so links (read under --root
 * from the usual module paths), else PCRE1 (most v2 builds: cPanel EA4,
 * RHEL, Comodo's installer); libmodsecurity 3.0.9 servers: PCRE2. Returns
 * a phrase saying how it was decided. */
const char *ruleset_default_pcre(struct ruleset *rs);

/* Load every unit into libmodsecurity once. Where it refuses a construct
 * ModSecurity 2 has and 3.0.9 lacks (an operator, action, variable or ctl
 * it does not support, v2 setvar syntax), drop that directive or chain
 * alone, note it as not audited, and try again. Anything else is an error
 * with file:line. */
int ruleset_fit(struct ruleset *rs, struct strbuf *err);

/* Does a vhost's name list ("name alias...") serve `host` (exact or
 * wildcard, as Apache matches ServerName/ServerAlias)? */
int ruleset_vhost_serves(const char *names, const char *host);

/* Apache: keep the <VirtualHost> that serves `host` (ServerName, ServerAlias,
 * wildcards; else the first, as Apache answers with it) and drop the
 * others; note which. */
void ruleset_select_host(struct ruleset *rs, const char *host);

/* A path of the audited server as read here (--root prefixed), malloc'd. */
char *ruleset_rooted(const struct ruleset *rs, const char *path);

/* Does unit `u` apply to a request for `path`? (Always, unless scoped.) */
int ruleset_unit_applies(const struct ruleset *rs, size_t u, const char *path);

/* Rules loaded and left out (rules of vhosts not serving the host, id 0,
 * count as neither). */
void ruleset_coverage(const struct ruleset *rs, size_t *loaded, size_t *left);

/* The first block of `n` rule ids at or above `base` that no rule the
 * server loads uses (left-out rules count: the server loads them), ending
 * at or below 99989 (99990-99999 are the tool's); -1 when there is none.
 * *taken: the server's rule that made `base` itself unusable, else NULL. */
long ruleset_free_ids(const struct ruleset *rs, long base, long n, const struct ruleinfo **taken);

/* Add a note (the same text again counts up the first one). */
void ruleset_note(struct ruleset *rs, struct origin at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The rule with this id, or NULL. */
const struct ruleinfo *ruleset_find(const struct ruleset *rs, long id);

/* Where output line `line` (1-based) of unit `u` came from. */
struct origin ruleset_origin(const struct ruleset *rs, size_t u, int line);

/* The anomaly score a rule adds when it matches (0 if none). */
int ruleset_rule_score(const struct ruleset *rs, const struct ruleinfo *ri);

#endif
