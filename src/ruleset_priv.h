/*
 * ruleset_priv: what the steps of the rule-set loader share, and nothing
 * the rest of the tool may use (that is ruleset.h).
 *
 * The loader is a pipeline, one file per step:
 *
 *   ruleset_read.c     reading: files, Include, logical lines, the line map
 *                      back to file:line, chains emitted whole
 *   ruleset_apache.c   Apache's part of reading: containers (<IfModule>,
 *                      <VirtualHost>, <Location*>), Apache's own directives,
 *                      vhost choice and location scope
 *   ruleset_neutral.c  neutralising: nothing the audit loads writes the
 *                      server's files, runs code or reaches the network
 *   ruleset_v2.c       ModSecurity 2 compatibility: what v2 means, written
 *                      for libmodsecurity 3.0.9 (SecDefaultAction merging,
 *                      regex checks, definition order)
 *   ruleset_fit.c      fitting: what 3.0.9 refuses is found by loading and
 *                      left out with a note, the rest loads as written
 *   ruleset_index.c    the index of rules by id, their scores and the CRS
 *                      settings the reports read
 *   ruleset.c          the ruleset object itself: life cycle, notes, files
 *
 * Ownership: every string a step stores in the ruleset is owned by the
 * ruleset and freed by ruleset_release(); file names are interned (one
 * copy per path, compared by pointer).
 */
#ifndef MCA_RULESET_PRIV_H
#define MCA_RULESET_PRIV_H

#include "ruleset.h"
#include "seclang.h"

#define MAX_INCLUDE_DEPTH 32
#define MAX_INCLUDED_FILES 10000	/* per load unit: a file included twice by
					 * itself doubles at each level */

/* ---- ruleset.c: the object ---- */

/* The one copy of `file`'s name; compare origins' files by pointer. */
const char *rs_intern(struct ruleset *rs, const char *file);
/* Add a note at `at`; the same text again only counts up. */
void rs_note(struct ruleset *rs, struct origin at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Why a left-out rule inspecting `vars` could (not) match a callback. */
const char *rs_could_match(const char *vars);
/* Append an empty unit named `name`; returns its index. */
size_t rs_new_unit(struct ruleset *rs, const char *name);
int rs_in_list(const char *const *list, const char *name);
/* The --paranoia/--threshold override for setvar value "tx.name=...", or NULL. */
const struct tx_override *rs_overridden(const struct ruleset *rs, const char *setvar);
/* "paranoia_level" for "tx.paranoia_level": the imposed value is also in
 * tx.mca_imposed_NAME (ruleset_override_text). */
const char *rs_imposed_name(const char *var);

/* ---- ruleset_read.c: the reader ---- */

/* One directive waiting to be emitted (chains are emitted whole or not at all). */
struct pending {
	char *text;
	struct origin at;
};

struct reader {
	struct ruleset *rs;
	size_t unit;
	struct pending *chain;
	size_t nchain, achain;
	int in_chain;		/* the last SecRule had `chain` */
	int drop_chain;		/* something in this chain is not to be run */
	const char *drop_why;
	char *defaults[6];	/* v2: disruptive part of this unit's SecDefaultAction per phase */
	unsigned default_phases;	/* phases with a SecDefaultAction emitted in this load */
	struct container {	/* Apache containers met in rule files */
		int active;	/* 0: an <IfModule !...>/<IfDefine> whose contents do not apply */
		size_t prev_unit;	/* for <Location*>: the unit to return to, else (size_t)-1 */
		struct origin at;	/* its opening line */
		char name[24];		/* "IfModule" */
		int vhost;		/* a <VirtualHost>: its own load and context */
		unsigned saved_phases;	/* the enclosing load's default_phases and */
		char *saved_defaults[6];	/* defaults, restored when it closes */
	} stack[32];
	int depth;
	int nfiles;		/* files read for this unit */
	int file_base;		/* depth when the file being read began: Apache
				 * closes a container in the file that opens it */
	int inactive;		/* depth of inactive containers we are inside */
	size_t prev_unit_of_scope;	/* open_scope's: the unit a scope returns to */
};

/* Emit one directive as one output line (then an empty one), mapped to `at`. */
void read_emit(struct reader *rd, const char *text, struct origin at);
/* Emit the pending chain (or drop it whole, with a note, when a link must not run). */
void read_flush_chain(struct reader *rd);
/* --root: the server's /etc/x is DIR/etc/x here. Returns malloc'd. */
char *read_rooted(const struct ruleset *rs, const char *path);
/* A path named in `file`, resolved as libmodsecurity and Apache would. Malloc'd. */
char *read_resolve(const struct ruleset *rs, const char *file, const char *path);
/* --root: a path under DIR with its symlinks resolved inside DIR (see
 * util/rootpath.h); else a copy. Malloc'd. */
char *read_confined(const struct ruleset *rs, const char *path);

/* ---- ruleset_apache.c: containers and Apache's directives ---- */

/* Returns 1 when `d` was a container line (opening or closing); sets *ret
 * to -1 with `err` on a bad one. */
int apache_container(struct reader *rd, struct origin at, struct seclang_directive *d,
		     struct strbuf *err, int *ret);
/* Apache mode: Apache's own directives. Returns 1 when handled. */
int apache_directive(struct reader *rd, struct origin at, struct seclang_directive *d);
/* After a read: scoped units (<Location*>, <Files*>, <Directory*>) that
 * hold nothing ModSecurity runs are dropped (a real configuration has
 * dozens: <Directory />, <Files ".ht*">...), the rest noted; unit indices
 * (rules, parent, outer) follow. */
void apache_drop_empty_scopes(struct ruleset *rs);
/* Define/UnDefine (Apache 2.4). Returns 1 when handled. */
int apache_define(struct reader *rd, struct origin at, struct seclang_directive *d);
/* `line` with ${NAME} replaced as Apache's ap_resolve_env does (Define,
 * then the environment); malloc'd, or NULL when nothing changes. */
char *apache_expand(struct reader *rd, struct origin at, const char *line);
/* Inside a <Location*>: directives turned into their runtime ctl:. Returns 1 when handled. */
int apache_scoped_runtime(struct reader *rd, struct origin at, struct seclang_directive *d);

/* ---- ruleset_neutral.c: side effects ---- */

/* Settings and directives the audit must not apply or run (logs, remote
 * rules, scripts) noted and left out, data paths made absolute. Returns 1
 * when `d` was handled. */
int neutral_directive(struct reader *rd, struct origin at, struct seclang_directive *d);
/* A rule's operator: NULL when unchanged, a malloc'd rewrite (absolute data
 * paths), and *why set when the rule must not run at all. */
char *neutral_operator(const struct ruleset *rs, const char *file, const char *op,
		       const char **why);
/* May this action be loaded? 0 (with a note) for exec:, audit-log ctl:s. */
int neutral_action(struct ruleset *rs, struct origin at, const struct seclang_action *a);

/* ---- ruleset_v2.c: ModSecurity 2 meaning ---- */

int v2_is_disruptive(const char *name);
int v2_phase_of(const struct seclang_action *a, size_t n);
/* SecDefaultAction: remember its disruptive part per phase. Returns 1
 * when the directive is not to be emitted: a second one for a phase in
 * one load (3.0.9 refuses it; v2 has merged it into the rules after it,
 * so it is translated; for a v3 server it is a finding). */
int v2_record_default(struct reader *rd, struct origin at, const char *list);
/* The SecDefaultAction part a v2 rule inherits, or NULL. */
const char *v2_inherited(struct reader *rd, const struct seclang_action *a, size_t n);
/* A rule-changing directive naming no rule defined yet (no effect in v2).
 * Returns 1 when handled (noted, left out). */
int v2_before_definition(struct reader *rd, struct origin at, struct seclang_directive *d);
/* SecRuleRemoveByMsg/ByTag RX: ModSecurity 2 removes the rules defined
 * before it whose msg (a tag) the regex matches; 3.0.9 compares the whole
 * string. Emitted as SecRuleRemoveById of those ids (or left out when
 * none), with a note. Returns 1 when handled. */
int v2_remove_by_directive(struct reader *rd, struct origin at, struct seclang_directive *d);
/* `@rx PATTERN` that does not compile: under v2 an error (the server would
 * not start, returns -1), else a note (3.0.9 loads a regex that never
 * matches). Returns 0 otherwise. */
int v2_check_regex(struct reader *rd, struct origin at, const char *op, struct strbuf *err);

/* `line` (one SecRule or SecAction as emitted) with the ModSecurity 2
 * syntax 3.0.9 refuses written as 3.0.9 reads the same meaning (PCRE1
 * regex syntax, commas in setvar values, quoted ctl: values, HTTP_
 * variables, response-only ctl:s, an operator ending in %). Malloc'd, or
 * NULL when nothing changes; `how` says what changed. v2_translate() also
 * rewrites \" in operators (V2_QUOTES): 3.0.9 reads most of them, so that is
 * tried only on a group it refuses (ruleset_fit). ModSecurity 2's names for
 * JSON fields are not a translation: the engine gives the arguments those
 * names (engine_v2json.h). V2_READ marks the reader's pass (noauditlog).
 * V2_BACKSLASHES: Apache's config parser (ap_getword_conf) reads "\\\\" in
 * an argument as one backslash before ModSecurity 2 sees it; 3.0.9 keeps
 * both, so the operator is rewritten with them collapsed (the reader's
 * pass only: ruleset_fit translates what the reader already wrote). */
#define V2_QUOTES 1u
#define V2_READ 2u
#define V2_BACKSLASHES 4u
/* A comma in a setvar value, as 3.0.9 can read it: a macro holding ",".
 * The TX variable is set first thing in phase 1 by V2_COMMA_TEXT (ids
 * 99996-99997, the tool's): 3.0.9 cannot write a comma in a setvar value,
 * so it comes from t:urlDecode of %2C, captured. ruleset_override_text()
 * loads it when a translation used the macro (rs->v2_comma). */
#define V2_COMMA_MACRO "%{tx.mca_comma}"
#define V2_COMMA_TEXT \
	"SecAction \"id:99996,phase:1,pass,nolog,t:none,setvar:tx.mca_pct2c=%2C\"\n" \
	"SecRule TX:mca_pct2c \"@rx ^(.*)$\" \"id:99997,phase:1,pass,nolog,capture,t:none,t:urlDecode,setvar:tx.mca_comma=%{TX.1}\"\n"
char *v2_translate(const char *line, struct strbuf *how);
char *v2_translate_as(const char *line, struct strbuf *how, unsigned what);
/* v2_translate() and what needs the whole rule set: ctl:ruleRemoveByMsg=RX
 * becomes ctl:ruleRemoveById= the ids of the loaded rules whose msg RX
 * matches (ModSecurity 2's matching), or is left out when none does. */
char *v2_translate_rs(const struct ruleset *rs, const char *line, struct strbuf *how);
/* A SecRule's operator as ModSecurity 2 under Apache reads it, after
 * v2_translate_as(V2_BACKSLASHES) collapsed double backslashes: one ending in a backslash
 * (left by that collapse) as the @rx it means (V2_LINE_UNESCAPED), and in
 * @rx ^ and $ without PCRE_MULTILINE, with PCRE_DOLLAR_ENDONLY ("(?-m)"
 * first, $ as \\z; V2_LINE_ANCHORED). NULL when nothing changes; *what
 * says what did, for the notes below (one text each, counted over every
 * place). */
#define V2_LINE_UNESCAPED 1u
#define V2_LINE_ANCHORED 2u
#define V2_LINE_LIMITED 4u
#define V2_UNESCAPE_NOTE "translated: an operator ending in \\\\, one backslash as Apache reads it " \
	"(libmodsecurity 3.0.9 keeps both and cannot end a quoted argument in one): the @rx it means"
#define V2_ANCHOR_NOTE "translated: ^ and $ in @rx as ModSecurity 2 reads them: (?-m) first and $ as \\z " \
	"(libmodsecurity 3.0.9 compiles regexes multi-line, ModSecurity 2 does not)"
#define V2_LIMIT_NOTE "translated: @rx under ModSecurity 2's PCRE limits (SecPcreMatchLimit and " \
	"SecPcreMatchLimitRecursion, default 1500), written into the regex as (*LIMIT_MATCH=N)(*LIMIT_DEPTH=N): " \
	"libmodsecurity 3.0.9 ignores both directives, and a regex that hits the limit does not match in ModSecurity 2"
/* ...and every @rx under the PCRE limits mod_security2 compiles it with
 * (limit, depth: the SecPcreMatchLimit* values read before it, 0 = its
 * default 1500; V2_LINE_LIMITED). */
char *v2_anchor_line(const char *line, unsigned *what, unsigned long limit, unsigned long depth);
/* SecPcreMatchLimit / SecPcreMatchLimitRecursion N: ModSecurity 2 compiles
 * the regexes read after it with N (a process-wide value); recorded for
 * v2_anchor_line. Returns 1 when `d` was one (it still goes through:
 * libmodsecurity 3.0.9 reads and ignores it). */
int v2_pcre_limit_directive(struct ruleset *rs, const struct seclang_directive *d);

/* ---- ruleset_fit.c: what 3.0.9 refuses ---- */

/* Directives 3.0.9 is known to refuse: noted and skipped. Returns 1 when handled. */
int fit_directive(struct reader *rd, struct origin at, struct seclang_directive *d);

/* ---- ruleset_index.c: the rule index ---- */

void index_rule(struct reader *rd, struct origin at, const char *vars,
		const char *op, const struct seclang_action *a, size_t n);
/* The value of a `setvar:tx.*anomaly_score*=+X`, malloc'd, or NULL. */
char *index_score_setvar(const struct seclang_action *a, size_t n);
void index_policy(struct ruleset *rs, const struct seclang_action *a, size_t n);
void index_score_setting(struct ruleset *rs, const struct seclang_action *a, size_t n);

#endif
