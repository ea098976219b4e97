/*
 * exclusion: the narrowest runtime exclusion that lets one callback past
 * one rule, in the CRS REQUEST-900 style:
 *
 *   SecRule REQUEST_FILENAME "@streq /wc-api/KCO_WC_Push/" \
 *     "id:10000,phase:1,pass,t:none,nolog,ctl:ruleRemoveTargetById=211180;ARGS_NAMES:kco_session_id"
 *
 * Scope is the callback's path in every URL form audited (the query form
 * /?wc-api=NAME needs a chained condition on ARGS_GET:wc-api); the ctl
 * removes one target when the match names one, else the whole rule.
 * Whether a snippet works is not assumed: the audit re-runs the callback
 * with it loaded (audit.c).
 */
#ifndef MCA_EXCLUSION_H
#define MCA_EXCLUSION_H

#include "catalog.h"
#include "logline.h"
#include "request.h"
#include "ruleset.h"
#include "util/strbuf.h"

/* The scope ladder, narrowest first: one target of the rule on the path,
 * the rule on the path, every rule with one of its tags on the path, and
 * last the WAF off for the path (labelled risky). */
enum excl_scope { EXCL_TARGET, EXCL_RULE, EXCL_TAG, EXCL_ENGINE_OFF,
		  EXCL_SETTING /* not an exclusion: a policy setting (settings.h) */ };
const char *excl_scope_name(enum excl_scope s);

struct exclusion {
	long first_id;		/* ids first_id .. first_id + nids - 1 */
	int nids;
	long rule_id;
	const struct callback *cb;	/* the first callback it lets through */
	const struct callback **also;	/* others on the same path (validation v1 and v2) */
	size_t nalso;
	unsigned forms;		/* URL forms the snippet covers */
	enum excl_scope scope;
	char **targets;		/* EXCL_TARGET: "ARGS_NAMES:kco_session_id", ... */
	size_t ntargets;
	char *tag;		/* EXCL_TAG */
	char *setting_var;	/* EXCL_SETTING: "tx.allowed_methods" */
	char *setting_value;
	char *advice;
	const char *source_ips;	/* also require REMOTE_ADDR @ipMatch these (--source-ip) */
	char *reason;		/* one line: what matched */
	char *snippet;		/* the SecLang text, with its comment */
	int round;		/* audit round the blocker appeared in (1 = first) */
	int changed;		/* the last round that added a target or widened it */
	int verified;		/* its callbacks pass with it, and no attack probe leaks */
	int leaks;		/* attack probes it let through beyond its scope */
	int startup_verified;	/* its startup form, loaded after the rules, lets the callbacks pass */
};

/* The target a runtime exclusion can remove for this match, or NULL when
 * only removing the rule will do. For chained rules the logged variable is
 * the last link's; the first link's value is found through the match's
 * ref offsets into the request line. Returns malloc'd text. */
char *exclusion_target(const struct ruleinfo *ri, const struct match *m,
		       const struct request *req);
/* Does the rule count the target's collection (&ARGS, &ARGS:x)?
 * ModSecurity 2 cannot remove a target from a count: the count is a
 * variable of its own, named by the collection ("matched 3 at ARGS"), so
 * an exclusion of ARGS:x leaves it (libmodsecurity 3 drops x from it);
 * measured on Apache + mod_security2 2.9.7 by tests/parity (json-names). */
int exclusion_counts_target(const struct ruleinfo *ri, const char *target);

/* Does the exclusion cover callback `cb`'s path (same endpoint)? */
int exclusion_same_scope(const struct exclusion *x, const struct callback *cb, unsigned forms);
/* Does it let `cb` through (first or also)? */
int exclusion_for(const struct exclusion *x, const struct callback *cb);

/* Most targets one exclusion names before it gives up and removes the rule. */
#define EXCL_MAX_TARGETS 8

/* Add a target (copied) unless present; 0 when added, -1 when it was
 * there already or the exclusion is full. */
int exclusion_add_target(struct exclusion *x, const char *target);
/* Remove the whole rule on the path instead of targets. */
void exclusion_widen(struct exclusion *x);
/* One step up the ladder from where it is (rule -> tag -> engine off).
 * Returns -1 when it is at the top already. */
int exclusion_escalate(struct exclusion *x, const struct ruleinfo *ri);

/* The SecRuleUpdateTargetById / SecRuleRemoveById (startup) form of the
 * exclusion, for placement after the rules inside the path's scope. */
void exclusion_startup(struct strbuf *out, const struct exclusion *x);
/* The regex of the path forms (no query form), for server scopes; 0 when
 * the exclusion covers only the query form. */
int exclusion_path_regex(struct strbuf *out, const struct exclusion *x, int raw_uri);

/* Fill in x->snippet and x->nids from the other fields. */
void exclusion_render(struct exclusion *x, const struct ruleinfo *ri);
void exclusion_release(struct exclusion *x);
/* A deep copy of `src` (its strings and lists; callbacks and source_ips
 * are shared, as they belong to the catalogue and the options). */
void exclusion_copy(struct exclusion *dst, const struct exclusion *src);
/* Make `dst` (same rule and endpoint) cover what `src` does too: its
 * callbacks, its targets, or its wider scope. */
void exclusion_merge(struct exclusion *dst, const struct exclusion *src);

/* The file --exclusions writes: a header saying where to include it, then
 * every snippet. */
void exclusion_file(struct strbuf *out, const struct exclusion *x, size_t n,
		    const char *version);

#endif
