/*
 * ruleset_v2: reading a configuration as ModSecurity 2 (mod_security2 in
 * Apache) reads it, where that differs from libmodsecurity 3.0.9, and
 * writing the v2 meaning in a form 3.0.9 runs the same way:
 *   - SecDefaultAction's disruptive action is merged into every following
 *     rule of the unit that names none (3.0.9 applies it at run time only
 *     to rules that say `block`),
 *   - SecRuleRemoveById/UpdateTargetById/UpdateActionById act only on
 *     rules already defined (3.0.9 applies them to later ones too),
 *   - a regex PCRE refuses stops a v2 server from starting; 3.0.9 loads
 *     it as a regex that never matches.
 *
 * Invariant: under engine_v2 the text handed to libmodsecurity runs each
 * rule as mod_security2 would; every such rewrite is noted.
 */
#include "ruleset_priv.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int v2_is_disruptive(const char *name)
{
	static const char *const d[] = { "deny", "drop", "block", "pass", "allow", "redirect", "proxy", NULL };
	for (const char *const *p = d; *p; p++)
		if (!strcmp(name, *p))
			return 1;
	return 0;
}

int v2_phase_of(const struct seclang_action *a, size_t n)
{
	const char *v = seclang_action_value(a, n, "phase");
	if (!v)
		return 2;
	if (!strcasecmp(v, "request"))
		return 2;
	if (!strcasecmp(v, "response"))
		return 4;
	if (!strcasecmp(v, "logging"))
		return 5;
	return atoi(v) >= 1 && atoi(v) <= 5 ? atoi(v) : 2;
}

/* v2: SecDefaultAction is merged into each following rule at parse time;
 * remember its disruptive action and status per phase. */
void v2_record_default(struct reader *rd, const char *list)
{
	struct seclang_action *a;
	size_t n = seclang_actions(list, &a);
	struct strbuf sb = STRBUF_INIT;
	int ph = v2_phase_of(a, n);
	for (size_t i = 0; i < n; i++)
		if (v2_is_disruptive(a[i].name) || !strcmp(a[i].name, "status"))
			strbuf_addf(&sb, "%s%s", sb.len ? "," : "", a[i].raw);
	free(rd->defaults[ph]);
	rd->defaults[ph] = strbuf_detach(&sb, NULL);
	seclang_actions_free(a, n);
}

/* Does `@rx PATTERN` (or a bare pattern) compile under PCRE2? Returns the
 * error text (static buffer) or NULL. Other operators: NULL. */
static const char *v2_bad_regex(const char *op)
{
	static char msg[160];
	const char *p = op;
	pcre2_code *re;
	int code;
	PCRE2_SIZE off;
	if (*p == '!')
		p++;
	if (*p == '@') {
		if (strncasecmp(p, "@rx ", 4) && strncasecmp(p, "@rx\t", 4))
			return NULL;
		p += 4;
	}
	re = pcre2_compile((PCRE2_SPTR)p, PCRE2_ZERO_TERMINATED, PCRE2_DOTALL, &code, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		return NULL;
	}
	pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
	return msg;
}

/* Does the rule set define a rule with one of the ids `spec` names
 * ("1 2 100-200") yet? */
static int defines_any(const struct ruleset *rs, const char *spec)
{
	const char *p = spec;
	while (*p) {
		long lo, hi;
		char *end;
		while (*p == ' ' || *p == ',' || *p == '"')
			p++;
		if (!*p)
			break;
		lo = strtol(p, &end, 10);
		if (end == p)
			return 1;	/* not ids: do not judge */
		hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (size_t i = 0; i < rs->nrules; i++)
			if (rs->rules[i].id >= lo && rs->rules[i].id <= hi)
				return 1;
		p = end;
	}
	return 0;
}

/* v2 merges the unit's SecDefaultAction disruptive action into rules that
 * name none, and resolves `block` to it. */
const char *v2_inherited(struct reader *rd, const struct seclang_action *a, size_t na)
{
	int has = 0;
	for (size_t i = 0; i < na; i++)
		if (v2_is_disruptive(a[i].name) && strcmp(a[i].name, "block"))
			has = 1;
	if (!has && rd->defaults[v2_phase_of(a, na)] && *rd->defaults[v2_phase_of(a, na)])
		return rd->defaults[v2_phase_of(a, na)];
	return NULL;
}

int v2_before_definition(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	if (d->nargs >= 1 &&
	    (!strcasecmp(d->name, "SecRuleRemoveById") || !strcasecmp(d->name, "SecRuleUpdateTargetById") ||
	     !strcasecmp(d->name, "SecRuleUpdateActionById")) &&
	    !defines_any(rd->rs, d->args[0].inner)) {
		rs_note(rd->rs, at, "%s %s: no effect in ModSecurity 2 (the rule is defined after it); left out",
			d->name, d->args[0].inner);
		return 1;
	}
	return 0;
}

int v2_check_regex(struct reader *rd, struct origin at, const char *op, struct strbuf *err)
{
	const char *bad = v2_bad_regex(op);
	if (bad && rd->rs->engine_v2) {
		strbuf_addf(err, "%s:%d: invalid regular expression (%s): ModSecurity 2 refuses this "
			    "configuration, the server would not start", at.file, at.line, bad);
		return -1;
	}
	if (bad)
		rs_note(rd->rs, at, "regular expression does not compile (%s): libmodsecurity 3 loads it, "
			"@rx never matches and !@rx always does", bad);
	return 0;
}
