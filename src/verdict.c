#include "verdict.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_match(const struct ruleset *rs, struct verdict *v, const char *line,
		      int disruptive_line)
{
	struct match m;
	const struct ruleinfo *ri;
	if (logline_parse(line, &m) < 0)
		return;
	/* In On mode the blocking rule's line reaches only the intervention,
	 * but be safe against seeing it twice. */
	for (size_t i = 0; i < v->nmatches; i++) {
		if (v->matches[i].id == m.id && !strcmp(v->matches[i].variable, m.variable) &&
		    !strcmp(v->matches[i].value, m.value)) {
			v->matches[i].disruptive |= disruptive_line;
			match_release(&m);
			return;
		}
	}
	ri = ruleset_find(rs, m.id);
	if (ri) {
		free(m.file);
		m.file = xstrdup(ri->at.file);
		m.line = ri->at.line;
		if (!m.phase)
			m.phase = ri->phase ? ri->phase : 2;
	}
	m.disruptive = disruptive_line;
	v->matches = xrealloc(v->matches, (v->nmatches + 1) * sizeof(m));
	v->matches[v->nmatches++] = m;
}

/* Comodo's points mode: 214310 "Inbound Points Exceeded|Total Points: N". */
static int is_points_evaluation(const struct match *m)
{
	return m->id == 214310 || (m->msg && strstr(m->msg, "Points Exceeded|Total Points: "));
}

static int is_evaluation(const struct match *m)
{
	if (m->id == 949110 || m->id == 959100 || is_points_evaluation(m))
		return 1;
	return !strncasecmp(m->variable, "TX:", 3) && strcasestr(m->variable, "ANOMALY_SCORE");
}

static void add_blocker(struct verdict *v, size_t match, enum role role, int score)
{
	v->blockers = xrealloc(v->blockers, (v->nblockers + 1) * sizeof(*v->blockers));
	v->blockers[v->nblockers].id = v->matches[match].id;
	v->blockers[v->nblockers].match = match;
	v->blockers[v->nblockers].role = role;
	v->blockers[v->nblockers].score = score;
	v->nblockers++;
}

static int by_score(const void *a, const void *b)
{
	const struct blocker *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Taking the highest scores first gives the fewest rules: any k rules
 * remove at most the k highest scores. */
static void minimal_set(struct verdict *v)
{
	struct blocker *c = xmalloc((v->nblockers ? v->nblockers : 1) * sizeof(*c));
	size_t n = 0;
	int left = v->total_score;
	for (size_t i = 0; i < v->nblockers; i++)
		if (v->blockers[i].role == ROLE_CONTRIBUTOR)
			c[n++] = v->blockers[i];
	qsort(c, n, sizeof(*c), by_score);
	for (size_t i = 0; i < n && left >= v->threshold; i++) {
		v->minimal = xrealloc(v->minimal, (v->nminimal + 1) * sizeof(long));
		v->minimal[v->nminimal++] = c[i].id;
		left -= c[i].score;
	}
	free(c);
}

void verdict_from(const struct ruleset *rs, const struct txresult *tx, struct verdict *v)
{
	size_t dm = (size_t)-1;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < tx->nlines; i++)
		add_match(rs, v, tx->lines[i], 0);
	v->disrupted = tx->disrupted;
	v->status = tx->status;
	v->phase = tx->phase;
	if (tx->intervention_log) {
		add_match(rs, v, tx->intervention_log, 1);
		for (size_t i = 0; i < v->nmatches; i++)
			if (v->matches[i].disruptive)
				dm = i;
	}
	if (dm == (size_t)-1)
		return;
	v->disruptive_id = v->matches[dm].id;
	if (!is_evaluation(&v->matches[dm])) {
		add_blocker(v, dm, ROLE_DISRUPTIVE, 0);
		return;
	}
	v->evaluation = 1;
	v->total_score = atoi(v->matches[dm].value);
	v->threshold = atoi(v->matches[dm].param);
	if (is_points_evaluation(&v->matches[dm])) {
		/* its last link matches TX:/^\d+\-/: the total is in the msg,
		 * the limit in the rule set's tx.incoming_points_limit */
		const char *t = v->matches[dm].msg ? strstr(v->matches[dm].msg, "Total Points: ") : NULL;
		v->total_score = t ? atoi(t + 14) : 0;
		v->threshold = rs->incoming_points_limit;
	}
	add_blocker(v, dm, ROLE_DISRUPTIVE, 0);
	/* Contributors: the scoring rules of the phases the evaluation covers
	 * (inbound: 1-2, outbound: 3-4). */
	for (size_t i = 0; i < v->nmatches; i++) {
		const struct ruleinfo *ri;
		int score, inbound_eval = v->matches[dm].phase <= 2;
		if (i == dm)
			continue;
		ri = ruleset_find(rs, v->matches[i].id);
		score = ri ? ruleset_rule_score(rs, ri) : 0;
		if (score <= 0)
			continue;
		if (inbound_eval != (v->matches[i].phase <= 2))
			continue;
		add_blocker(v, i, ROLE_CONTRIBUTOR, score);
	}
	minimal_set(v);
}

void verdict_release(struct verdict *v)
{
	for (size_t i = 0; i < v->nmatches; i++)
		match_release(&v->matches[i]);
	free(v->matches);
	free(v->blockers);
	free(v->minimal);
	memset(v, 0, sizeof(*v));
}

int verdict_has_rule(const struct verdict *v, long id)
{
	for (size_t i = 0; i < v->nmatches; i++)
		if (v->matches[i].id == id)
			return 1;
	return 0;
}
