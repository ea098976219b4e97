/*
 * ruleset_index: the index of the rules read, by id, with what the reports
 * need to know of each (phase, disruptive action, severity, score, tags),
 * and the CRS settings that give scores and policies their values.
 *
 * Invariant: a rule's id is positive while it is loaded, negative once the
 * loader has left it out (hidden from lookups, counted as left out), 0
 * when it has none or belongs to a vhost not serving the audited host.
 */
#include "ruleset_priv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The CRS policy variables whose alerts call for a setting (settings.c). */
static const char *const policy_vars[4] = {
	"tx.allowed_methods=", "tx.allowed_request_content_type=",
	"tx.allowed_http_versions=", "tx.allowed_request_content_type_charset=",
};

void index_policy(struct ruleset *rs, const struct seclang_action *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = a[i].value;
		if (strcmp(a[i].name, "setvar") || !v)
			continue;
		for (int k = 0; k < 4; k++) {
			size_t l = strlen(policy_vars[k]);
			/* the first plain value is in force: crs-setup.conf's
			 * when it sets one (it loads first), else REQUEST-901's
			 * default; later "%{tx.x} ..." appends are conditional */
			if (!strncasecmp(v, policy_vars[k], l) && !rs->policy[k] && !strstr(v + l, "%{")) {
				size_t len = strlen(v + l);
				if (len && v[l + len - 1] == '\'')
					len--;
				rs->policy[k] = xstrndup(v + l, len);
			}
		}
	}
}

void index_score_setting(struct ruleset *rs, const struct seclang_action *a, size_t n)
{
	static const char *const names[] = {
		"tx.critical_anomaly_score=", "tx.error_anomaly_score=",
		"tx.warning_anomaly_score=", "tx.notice_anomaly_score=",
	};
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].name, "setvar") || !a[i].value)
			continue;
		for (int k = 0; k < 4; k++) {
			size_t l = strlen(names[k]);
			if (!strncasecmp(a[i].value, names[k], l) && isdigit((unsigned char)a[i].value[l]))
				rs->severity_score[k] = atoi(a[i].value + l);
		}
		/* Comodo's points mode: the points per level and the limit */
		if (!strncasecmp(a[i].value, "tx.points_limit", 15) && a[i].value[15] >= '1' &&
		    a[i].value[15] <= '4' && a[i].value[16] == '=' && isdigit((unsigned char)a[i].value[17]))
			rs->points_limit[a[i].value[15] - '0'] = atoi(a[i].value + 17);
		if (!strncasecmp(a[i].value, "tx.incoming_points_limit=", 25) && isdigit((unsigned char)a[i].value[25]))
			rs->incoming_points_limit = atoi(a[i].value + 25);
		if (!strncasecmp(a[i].value, "tx.inbound_anomaly_score_threshold=", 35) &&
		    isdigit((unsigned char)a[i].value[35]))
			rs->inbound_threshold = atoi(a[i].value + 35);
	}
}

static const char *const disruptive_actions[] = {
	"deny", "drop", "block", "redirect", "allow", "proxy", NULL
};

/* The value of a `setvar:tx.*anomaly_score*=+X` among the actions
 * ("+5", "+%{tx.critical_anomaly_score}"), malloc'd, or NULL. */
char *index_score_setvar(const struct seclang_action *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = a[i].value, *eq, *an;
		if (strcmp(a[i].name, "setvar") || !v)
			continue;
		if (*v == '\'')
			v++;
		eq = strstr(v, "=+");
		an = strcasestr(v, "anomaly_score");
		if (!an && !strncasecmp(v, "tx.points=+", 11))
			an = v;	/* Comodo's points mode */
		if (eq && an && an < eq && !strncasecmp(v, "tx.", 3)) {
			size_t len = strlen(eq + 1);
			if (len && eq[len] == '\'')
				len--;
			return xstrndup(eq + 1, len);
		}
	}
	return NULL;
}

void index_rule(struct reader *rd, struct origin at, const char *vars,
		       const char *op, const struct seclang_action *a, size_t n)
{
	struct ruleset *rs = rd->rs;
	struct ruleinfo *ri;
	const char *v;

	ARRAY_PUSH(rs->rules, rs->nrules, rs->arules);
	ri = &rs->rules[rs->nrules++];
	memset(ri, 0, sizeof(*ri));
	ri->at = at;
	ri->unit = rd->unit;
	ri->severity = -1;
	v = seclang_action_value(a, n, "id");
	ri->id = v ? strtol(v, NULL, 10) : 0;
	v = seclang_action_value(a, n, "phase");
	if (v) {
		if (!strcasecmp(v, "request"))
			ri->phase = 2;
		else if (!strcasecmp(v, "response"))
			ri->phase = 4;
		else if (!strcasecmp(v, "logging"))
			ri->phase = 5;
		else
			ri->phase = atoi(v);
	}
	ri->chained = seclang_has_action(a, n, "chain");
	ri->drops = seclang_has_action(a, n, "drop");
	for (const char *const *d = disruptive_actions; *d; d++)
		if (seclang_has_action(a, n, *d))
			ri->disruptive = 1;
	v = seclang_action_value(a, n, "severity");
	if (v) {
		static const char *const sev[] = { "EMERGENCY", "ALERT", "CRITICAL", "ERROR",
						   "WARNING", "NOTICE", "INFO", "DEBUG" };
		ri->severity = isdigit((unsigned char)*v) ? atoi(v) : -1;
		for (int k = 0; k < 8; k++)
			if (!strcasecmp(v, sev[k]))
				ri->severity = k;
	}
	v = seclang_action_value(a, n, "msg");
	ri->msg = xstrdup(v ? v : "");
	ri->vars = xstrdup(vars ? vars : "");
	ri->op = xstrdup(op ? op : "");
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(a[i].name, "tag") && a[i].value) {
			ri->tags = xrealloc(ri->tags, (ri->ntags + 1) * sizeof(char *));
			ri->tags[ri->ntags++] = xstrdup(a[i].value);
		}
	}
	ri->score_expr = index_score_setvar(a, n);
	rs->units[rd->unit].rules++;
}

void ruleset_coverage(const struct ruleset *rs, size_t *loaded, size_t *left)
{
	*loaded = *left = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].id)
			*(rs->rules[i].id > 0 ? loaded : left) += 1;
}

const struct ruleinfo *ruleset_find(const struct ruleset *rs, long id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].id == id)
			return &rs->rules[i];
	return NULL;
}

int ruleset_rule_score(const struct ruleset *rs, const struct ruleinfo *ri)
{
	static const char *const names[] = { "critical", "error", "warning", "notice" };
	const char *e = ri->score_expr;
	if (!e || *e != '+')
		return 0;
	e++;
	if (isdigit((unsigned char)*e))
		return atoi(e);
	for (int k = 0; k < 4; k++) {
		char want[64];
		snprintf(want, sizeof(want), "%%{tx.%s_anomaly_score}", names[k]);
		if (!strcasecmp(e, want))
			return rs->severity_score[k];
	}
	/* Comodo: "+%{tx.points_limit4}" */
	if (!strncasecmp(e, "%{tx.points_limit", 17) && e[17] >= '1' && e[17] <= '4' && e[18] == '}')
		return rs->points_limit[e[17] - '0'];
	return 0;
}

long ruleset_free_ids(const struct ruleset *rs, long base, long n, const struct ruleinfo **taken)
{
	long start = base;
	*taken = NULL;
	for (;;) {
		long clash = 0;
		if (start < 1 || start + n - 1 > 99989)
			return -1;
		for (size_t i = 0; i < rs->nrules; i++) {
			long id = rs->rules[i].id < 0 ? -rs->rules[i].id : rs->rules[i].id;
			if (id >= start && id < start + n && id > clash) {
				clash = id;
				if (start == base && !*taken)
					*taken = &rs->rules[i];
			}
		}
		if (!clash)
			return start;
		/* the next block boundary after the clash keeps ids round */
		start = (clash / 100 + 1) * 100;
	}
}
