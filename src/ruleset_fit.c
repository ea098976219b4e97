/*
 * ruleset_fit: what libmodsecurity 3.0.9 refuses of a ModSecurity 2
 * configuration is left out, one directive or chain at a time, with a note
 * naming the file:line where it starts; everything else loads as written.
 *
 * Invariant: after ruleset_fit() returns 0 every active unit loads in
 * libmodsecurity as it stands, and every left-out rule's id is negative
 * (counted as not audited) with a note saying whether it could match a
 * callback.
 */
#include "ruleset_priv.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ModSecurity 2 directives libmodsecurity 3.0.9 refuses to load. */
static const char *const refused_v3[] = {
	"SecRequestBodyInMemoryLimit", "SecGuardianLog", "SecServerSignature",
	"SecChrootDir", "SecStreamInBodyInspection", "SecStreamOutBodyInspection",
	"SecCacheTransformations", "SecGsbLookupDb", "SecHashEngine", "SecHashKey",
	"SecHashParam", "SecHashMethodRx", "SecHashMethodPm",
	"SecConnReadStateLimit", "SecConnWriteStateLimit", "SecReadStateLimit",
	"SecWriteStateLimit", "SecSensorId", "SecRulePerfTime",
	"SecCookieV0Separator", NULL
};

/* Refused only when switched on; "Off" loads. */
static const char *const refused_when_on[] = {
	"SecDisableBackendCompression", "SecContentInjection", "SecConnEngine",
	"SecInterceptOnError", "SecRuleInheritance", NULL
};

int fit_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	if (rs_in_list(refused_v3, d->name) ||
	    (rs_in_list(refused_when_on, d->name) && d->nargs && !strcasecmp(d->args[0].inner, "On"))) {
		rs_note(rd->rs, at, "%s: skipped (libmodsecurity 3.0.9 does not support it)", d->name);
		return 1;
	}
	return 0;
}

/* Constructs ModSecurity 2 has and libmodsecurity 3.0.9 refuses, by the
 * words of its error: these rules are left out one by one, not the file. */
static const char *v2_only(const char *msg)
{
	if (strstr(msg, "is not yet supported") || strstr(msg, "is not supported by libModSecurity"))
		return msg;
	if (strstr(msg, "Expecting an action, got:")) {
		const char *g = strstr(msg, "got:") + 4;
		while (*g == ' ')
			g++;
		if (!strncmp(g, "ctl:", 4))
			return "a ctl: option libmodsecurity 3.0.9 does not have";
		if (!strncmp(g, "%{", 2))
			return "ModSecurity 2 setvar syntax (a comma in the value)";
	}
	return NULL;
}

/* Blank every line of the directive or chain that output line `line`
 * (1-based) belongs to, hide its rule id, note why. */
static void drop_group(struct ruleset *rs, size_t u, int line, const char *why)
{
	struct load_unit *unit = &rs->units[u];
	size_t g = unit->group[line - 1];
	struct strbuf out = STRBUF_INIT;
	const char *p = unit->text.buf;
	struct origin at = unit->map[g];
	long id = 0;
	const char *vars = "";

	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].unit == u && rs->rules[i].at.file == at.file &&
		    rs->rules[i].at.line == at.line && rs->rules[i].id > 0) {
			id = rs->rules[i].id;
			vars = rs->rules[i].vars;
			rs->rules[i].id = -id;
			unit->rules--;
		}
	for (size_t i = 0; *p; i++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (i >= unit->nmap || unit->group[i] != g)
			strbuf_add(&out, p, len);
		strbuf_addch(&out, '\n');
		p = nl ? nl + 1 : p + len;
	}
	strbuf_release(&unit->text);
	unit->text = out;
	if (id)
		rs_note(rs, at, "rule %ld not audited: libmodsecurity 3.0.9 refuses it (%s); %s", id, why,
			 rs_could_match(vars));
	else
		rs_note(rs, at, "directive skipped: libmodsecurity 3.0.9 refuses it (%s)", why);
}

int ruleset_fit(struct ruleset *rs, struct strbuf *err)
{
	for (size_t u = 0; u < rs->nunits; u++) {
		if (rs->units[u].inactive)
			continue;
		for (int tries = 0; tries < 1000; tries++) {
			struct strbuf why = STRBUF_INIT, e2 = STRBUF_INIT;
			struct engine *e = engine_new(&e2);
			int line = 0, r;
			const char *v2;
			if (!e) {
				strbuf_addstr(err, e2.buf);
				strbuf_release(&e2);
				return -1;
			}
			r = engine_add_rules(e, rs->units[u].text.buf, &line, &why);
			engine_free(e);
			strbuf_release(&e2);
			if (r == 0) {
				strbuf_release(&why);
				break;
			}
			v2 = v2_only(why.buf);
			if (strstr(why.buf, "is duplicated")) {
				/* libmodsecurity names no place ("File: . Line: 1"):
				 * point at the second rule with that id */
				const char *d = strpbrk(why.buf, "0123456789");
				long dup = d ? strtol(d, NULL, 10) : 0;
				const struct ruleinfo *first = NULL;
				for (size_t i = 0; i < rs->nrules && dup; i++) {
					if (rs->rules[i].id != dup)
						continue;
					if (first) {
						strbuf_addf(err, "%s:%d: rule id %ld is duplicated (first at %s:%d)",
							    rs->rules[i].at.file, rs->rules[i].at.line, dup,
							    first->at.file, first->at.line);
						strbuf_release(&why);
						return -1;
					}
					first = &rs->rules[i];
				}
			}
			if (!v2 || line < 1 || (size_t)line > rs->units[u].nmap) {
				struct origin at = ruleset_origin(rs, u, line);
				if (at.file)
					strbuf_addf(err, "%s:%d: %s", at.file, at.line, why.buf);
				else
					strbuf_addf(err, "%s: %s", rs->units[u].name, why.buf);
				strbuf_release(&why);
				return -1;
			}
			drop_group(rs, u, line, v2 == why.buf ? why.buf : v2);
			strbuf_release(&why);
		}
	}
	return 0;
}
