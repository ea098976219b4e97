/*
 * witness: which exclusion rules fire for a request, without the server's
 * rules.
 *
 * An engine differs from the server as it is only by the exclusions loaded
 * before the server's rules. Each is a phase 1 `pass,nolog` rule whose
 * only effect is its ctl:/setvar: when it does not fire for a request, it
 * changes nothing for that request. So a request whose fired exclusions
 * (their text) are the same as when it last ran gets the same verdict, and
 * need not run again; an attack probe that fires none is judged by its run
 * without the exclusions. The witness finds out by loading the exclusions
 * alone with `nolog` turned into `log` and reading which ids log: one
 * cheap transaction with a dozen rules instead of the server's thousands.
 *
 * It declines (witness_new returns NULL, and the caller runs everything)
 * when the exclusions are not all phase 1 rules it can make log, when
 * the server's rules change how phase 1 reads the request
 * (SecArgumentSeparator: the exclusions' ARGS_GET conditions), or when a
 * server directive names one of the exclusions' ids (SecRuleRemoveById,
 * SecRuleUpdate*ById: then an exclusion's number matters).
 */
#ifndef MCA_WITNESS_H
#define MCA_WITNESS_H

#include "exclusion.h"
#include "request.h"
#include "ruleset.h"

struct witness;

/* A witness for exclusions x[0..n), or NULL when it cannot vouch for them
 * (also for n == 0: nothing can fire, see witness_sig). */
struct witness *witness_new(const struct ruleset *rs, const struct exclusion *x, size_t n);
void witness_free(struct witness *w);
/* Off: every witness declines, so every run runs (the test comparing both;
 * MCA_RUN_ALL=1 in the environment does the same). */
void witness_enable(int on);

/* Is the witness (and every shortcut that relies on it) on? */
int witness_enabled(void);

/* What fires for this request: the fired exclusions' rules as they act
 * (comments and id numbers left out, so an exclusion renumbered when
 * merged reads the same), in order; "" when none fires. Two engines of
 * one audit whose witnesses give equal strings for a request run it the
 * same (txmemo.h). malloc'd. */
char *witness_fired(struct witness *w, const struct request *req, const struct response *resp);

/* A signature of what fires for this request: a hash of the fired
 * exclusions' snippets, in order; 0 when none fires. Equal signatures
 * mean the request runs the same. */
unsigned long long witness_sig(struct witness *w, const struct request *req,
			       const struct response *resp);

#endif
