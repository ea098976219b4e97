/*
 * verdict: what one transaction's log lines mean.
 *
 * Turns an engine result into structured matches (file:line taken from
 * our own rule index, since rules reach libmodsecurity as text) and names
 * the blocking rules: the disruptive rule itself, or, when that rule is an
 * anomaly-score evaluation (CRS 949110/959100 and alike), the rules whose
 * scores made up the total, each with its score.
 */
#ifndef MCA_VERDICT_H
#define MCA_VERDICT_H

#include <stddef.h>
#include "engine.h"
#include "logline.h"
#include "ruleset.h"

enum role { ROLE_DISRUPTIVE, ROLE_CONTRIBUTOR };

struct blocker {
	long id;
	size_t match;		/* index into verdict.matches */
	enum role role;
	int score;		/* contributors: the score the rule added */
};

struct verdict {
	struct match *matches;
	size_t nmatches;
	int disrupted;
	int status;
	int phase;
	long disruptive_id;		/* 0 when nothing disrupted */
	int evaluation;			/* the disruptive rule scores, it does not detect */
	int total_score, threshold;	/* for evaluation rules, from its log line */
	struct blocker *blockers;
	size_t nblockers;
	long *minimal;			/* fewest contributors whose exclusion brings the
					 * total under the threshold (highest scores first) */
	size_t nminimal;
};

void verdict_from(const struct ruleset *rs, const struct txresult *tx, struct verdict *v);
void verdict_release(struct verdict *v);

/* Does any match in `v` come from rule `id`? */
int verdict_has_rule(const struct verdict *v, long id);

#endif
