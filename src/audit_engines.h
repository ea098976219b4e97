/*
 * audit_engines: the parts of the audit pipeline that audit.c (round 1,
 * verification), audit_jobs.c (running transactions), audit_probes.c
 * (attack probes) and unmask.c (per-callback rounds) share.
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

/* One transaction for audit_run_jobs. */
struct job {
	const struct request *req;
	const struct response *resp;
	size_t list;	/* audit_run_jobs_lists: which exclusion list it runs with */
	/* audit_run_jobs_lists: an earlier job of the batch whose result
	 * this one takes when the same exclusions fire for both (the
	 * caller vouches that the requests run alike: the URL forms of one
	 * callback whose first verdicts were equal); NULL: it runs */
	const struct job *rep;
	struct txresult out;
	int reused;	/* out is the result of an equal transaction (txmemo.h) */
	int represented;	/* out is rep's result (never kept in the memo) */
};

/* Run `jobs` with the exclusions x[0..nx) loaded before the server's rules
 * and `after` (NULL: none) after them, on two threads, each with its own
 * engines (built first: loading is not thread-safe). A job whose
 * transaction equals one already run in this audit (the same request and
 * response, and the same exclusions firing for it: witness.h, txmemo.h) or
 * earlier in `jobs` is not run again: its result is copied and `reused`
 * set. `keep`: remember the results for later calls (the callbacks'
 * requests; probes are deduplicated within the call only). Everything runs
 * when the witness is off (MCA_RUN_ALL=1). -1 with `err` when an engine
 * cannot be built. Sets every job's list to 0 and rep to NULL. */
int audit_run_jobs(struct audit *a, const struct exclusion *x, size_t nx, const char *after,
		   struct job *jobs, size_t n, int keep, struct strbuf *err);

/* One exclusion list of a batch (not owned). */
struct excl_view {
	const struct exclusion *x;
	size_t n;
};

/* audit_run_jobs with one exclusion list per job: jobs[i] runs with
 * lists[jobs[i].list] loaded first. Engines are built per list text and
 * scope, each on one thread where the lists allow (a list's jobs stay
 * together, the lists shared out by weight), and the memo keys each job
 * by what fires of its own list. A job with `rep` set takes rep's result
 * (`represented`, not `reused`) when the memo has none for it and the
 * same exclusions of their lists fire for both; off with the witness. */
int audit_run_jobs_lists(struct audit *a, const struct excl_view *lists, size_t nlists,
			 const char *after, struct job *jobs, size_t n, int keep, struct strbuf *err);

/* Cases idx[0..n) with the exclusions x[0..nx) loaded first, verdicts
 * into dst[0..n) (released first); re-runs skipped are counted in
 * a->runs_skipped. -1 on a load error. */
int audit_run_cases(struct audit *a, const struct exclusion *x, size_t nx, const size_t *idx,
		    size_t n, struct verdict *dst, struct strbuf *err);

/* Every case through the rules with the exclusions x[0..nx) loaded
 * first, into dst[]; with none, the sweep's settled cases do not run.
 * -1 on a load error. */
int audit_run_all(struct audit *a, const struct exclusion *x, size_t nx, struct verdict *dst,
		  struct strbuf *err);

/* The shared exclusions (a->excl, the union of every callback's) loaded
 * before the rules: does every case pass? What still blocks is widened or
 * excluded too, up to max_rounds times; verdicts go to latest[]. Returns 1
 * (nothing noted, nothing changed) when the first pass finds blocked a
 * case whose unmasking rounds took another form's result (`represented`):
 * its callback's forms differ after all, and unmasking it again with
 * every form running (all_forms) gives the answer of the long way. */
int audit_verify_rounds(struct audit *a, int max_rounds, struct verdict *latest, long *next_id,
			struct strbuf *err);

/* Unmask every callback (unmask_callbacks from id_base), then verify the
 * merged exclusions (audit_verify_rounds), again with every form of a
 * callback running when it asks. a->rounds and *next_id follow. -1 on a
 * load error. */
int audit_unmask_verify(struct audit *a, int max_rounds, long id_base, struct verdict *latest,
			long *next_id, struct strbuf *err);

/* Record in c->found the blockers of `v` not listed yet, as of `round`. */
void audit_note_blockers(struct audit_case *c, const struct verdict *v, int round);

/* Per-callback unmasking (unmask.c): for every callback blocked in round 1
 * (cases[].v), exclude in memory only its own blockers, round after round,
 * until it passes or nothing changes, recording each case's blockers with
 * their round; then merge every callback's exclusions into a->excl (one per
 * rule and endpoint, covering the union), numbered from id_base. Round r
 * of every callback still blocked runs as one batch, each callback with
 * its own list (audit_run_jobs_lists). The forms of a callback whose
 * round-1 verdicts were equal run as one from round 2 on, unless the
 * witness is off or the callback's cases ask for all_forms: one form
 * runs, the others take its result when the same exclusions fire for
 * them (counted in a->runs_skipped). Returns the highest round reached,
 * or -1 with `err` on a load error. */
int unmask_callbacks(struct audit *a, int max_rounds, long id_base, struct strbuf *err);

/* The attack probes (audit_probes.c) against a->excl: a->attacks filled,
 * an exclusion that lets one through beyond its scope loses `verified`.
 * -1 with `err` on a load error. */
int audit_probe_attacks(struct audit *a, struct strbuf *err);

#endif
