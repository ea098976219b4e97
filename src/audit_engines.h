/*
 * audit_engines: the parts of the audit pipeline that audit.c (round 1,
 * verification, attack probes) and unmask.c (per-callback rounds) share.
 * Internal to the audit: nothing else includes this.
 *
 *   engine_set   engines by scope for one exclusion text (built on first
 *                use, one per combination of <Location*> units)
 *   excl_list    a growing array of exclusions (the audit's shared one,
 *                or a callback's private one while it is unmasked)
 *   audit_react  add or widen exclusions in a list for what blocked one
 *                case in one round
 *
 * Ownership: an engine_set owns its engines, not the texts it points to;
 * an excl_list owns its exclusions.
 */
#ifndef MCA_AUDIT_ENGINES_H
#define MCA_AUDIT_ENGINES_H

#include "audit.h"
#include "engine.h"

struct engine_set {
	const struct ruleset *rs;
	const char *excl;	/* runtime exclusions, loaded first */
	const char *after;	/* startup exclusions, loaded last */
	struct {
		unsigned long long mask;
		struct engine *e;
	} *v;
	size_t n;
};

struct engine *engine_for(struct engine_set *s, const struct request *req, struct strbuf *err);
void engine_set_free(struct engine_set *s);

struct excl_list {
	struct exclusion *v;
	size_t n, alloc;
};

/* Every snippet of the list, in order: the text loaded before the rules. */
char *excl_list_text(const struct exclusion *x, size_t n);

/* Add or widen exclusions in `l` for what blocked `c` (verdict `v`) in
 * `round`; new ones take ids from *next_id. Returns the number of changes. */
int audit_react(struct audit *a, struct excl_list *l, const struct audit_case *c,
		const struct verdict *v, int round, long *next_id);

/* Run case `c` through `es` into `dst` (released first). -1 on a load error. */
int audit_run_case(struct audit *a, struct engine_set *es, struct audit_case *c,
		   struct verdict *dst, struct strbuf *err);

/* Every case through the rules with `text` (NULL: none) loaded first,
 * into dst[]. -1 on a load error. */
int audit_run_all(struct audit *a, const char *text, struct verdict *dst, struct strbuf *err);

/* The shared exclusions (a->excl, the union of every callback's) loaded
 * before the rules: does every case pass? What still blocks is widened or
 * excluded too, up to max_rounds times; verdicts go to latest[]. */
int audit_verify_rounds(struct audit *a, int max_rounds, struct verdict *latest, long *next_id,
			struct strbuf *err);

/* Record in c->found the blockers of `v` not listed yet, as of `round`. */
void audit_note_blockers(struct audit_case *c, const struct verdict *v, int round);

/* Per-callback unmasking (unmask.c): for every callback blocked in round 1
 * (cases[].v), exclude in memory only its own blockers, round after round,
 * until it passes or nothing changes, recording each case's blockers with
 * their round; then merge every callback's exclusions into a->excl (one per
 * rule and endpoint, covering the union), numbered from id_base. Returns
 * the highest round reached, or -1 with `err` on a load error. */
int unmask_callbacks(struct audit *a, int max_rounds, long id_base, struct strbuf *err);

#endif
