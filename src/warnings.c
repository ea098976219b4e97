#include "warnings.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void audit_warn(struct audit *a, const char *code, const char *file, int line, const char *fmt, ...)
{
	struct audit_warning *w;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	a->warnings = xrealloc(a->warnings, (a->nwarnings + 1) * sizeof(*a->warnings));
	w = &a->warnings[a->nwarnings++];
	w->code = code;
	w->message = strbuf_detach(&sb, NULL);
	w->file = file ? xstrdup(file) : NULL;
	w->line = line;
}

int audit_unprotected(const struct audit *a)
{
	for (size_t i = 0; i < a->nwarnings; i++)
		if (!strcmp(a->warnings[i].code, "waf_not_enabled") ||
		    !strcmp(a->warnings[i].code, "engine_off"))
			return 1;
	return 0;
}

/* The SecRequestBodyAccess in effect for the loaded units (those that load
 * for every request), with where it is; NULL when none sets it. Apache
 * keeps the last; libmodsecurity the first load's (the last line within
 * it), as for SecRuleEngine (ruleset_neutral.c). */
static const char *body_access(const struct ruleset *rs, struct origin *at)
{
	static char value[16];
	const char *found = NULL;
	for (size_t u = 0; u < rs->nunits && (rs->engine_v2 || !found); u++) {
		const char *p = rs->units[u].text.buf;
		int line = 1;
		if (!p || rs->units[u].inactive || rs->units[u].scope)
			continue;
		for (; *p; line++) {
			const char *s = p, *nl = strchr(p, '\n');
			while (*s == ' ' || *s == '\t')
				s++;
			if (!strncasecmp(s, "SecRequestBodyAccess", 20) && isspace((unsigned char)s[20])) {
				size_t n;
				s += 20;
				while (*s == ' ' || *s == '\t' || *s == '"')
					s++;
				n = strcspn(s, " \t\"\r\n");
				if (n >= sizeof(value))
					n = sizeof(value) - 1;
				memcpy(value, s, n);
				value[n] = '\0';
				found = value;
				*at = ruleset_origin(rs, u, line);
			}
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	return found;
}

static void engine_warnings(struct audit *a, const char *server_config)
{
	const struct origin *at = &a->rs.rule_engine_at;
	if (a->mode == MODE_OFF && server_config && server_is_nginx(server_config) && !at->file) {
		audit_warn(a, "waf_not_enabled", server_config, 0,
			   "nginx never sets 'modsecurity on' for %s: ModSecurity does not run, the server is "
			   "not protecting the callbacks at all (verdicts show what it would do once enabled)",
			   a->host ? a->host : "this server");
	} else if (a->mode == MODE_OFF && !at->file) {
		audit_warn(a, "engine_off", NULL, 0,
			   "SecRuleEngine is never set and ModSecurity 2 leaves it Off: the server is not "
			   "protecting the callbacks at all (verdicts show what On would do)");
	} else if (a->mode == MODE_OFF) {
		audit_warn(a, "engine_off", at->file, at->line,
			   "SecRuleEngine Off: the server is not protecting the callbacks at all "
			   "(verdicts show what On would do)");
	} else if (a->mode == MODE_DETECTION_ONLY || a->mode == MODE_UNSET) {
		audit_warn(a, "engine_detection_only", at->file, at->line,
			   "SecRuleEngine %s: the server only logs; nothing is blocked until it is switched On",
			   a->mode == MODE_UNSET ? "never set (libmodsecurity evaluates and logs only)" : "DetectionOnly");
	}
}

/* Does an IncludeOptional that matched nothing look like it was meant to
 * load rules (its path, or the file it is in, names ModSecurity, a rule
 * set or a WAF)? Apache's own conf-enabled files are not a rule set. */
static int names_rules(const struct note *n)
{
	static const char *const words[] = { "modsec", "security2", "crs", "owasp", "comodo", "cwaf",
					     "waf", "rules", "imunify", NULL };
	const char *base = n->at.file ? strrchr(n->at.file, '/') : NULL;
	base = base ? base + 1 : n->at.file;
	for (const char *const *w = words; *w; w++)
		if (strcasestr(n->what, *w) || (base && strcasestr(base, *w)))
			return 1;
	return 0;
}

void audit_warnings(struct audit *a, const char *server_config)
{
	struct origin at = { NULL, 0 };
	const char *body = body_access(&a->rs, &at);
	size_t loaded = 0, left = 0, inc = 0;

	engine_warnings(a, server_config);
	/* Unset, libmodsecurity 3.0.9 reads bodies (it skips them only when
	 * told Off: measured, see warn-request-body*.case); ModSecurity 2
	 * leaves them unread */
	if (body && strcasecmp(body, "On"))
		audit_warn(a, "request_body_not_inspected", at.file, at.line,
			   "SecRequestBodyAccess %s: no rule inspects the request bodies (the callbacks' "
			   "JSON and form fields), so a pass says nothing about them", body);
	else if (!body && a->engine_v2)
		audit_warn(a, "request_body_not_inspected", NULL, 0,
			   "SecRequestBodyAccess is never set, and ModSecurity 2 then reads no request body: "
			   "the server inspects none of the callbacks' JSON and form fields (this audit, on "
			   "libmodsecurity 3, did: findings in bodies do not happen on the server, and a pass "
			   "says nothing about them)");
	for (size_t i = 0; i < a->rs.nnotes; i++) {
		const struct note *n = &a->rs.notes[i];
		if (strncmp(n->what, "IncludeOptional matched no file", 31) || !names_rules(n))
			continue;
		inc++;
		audit_warn(a, "no_rule_files", n->at.file, n->at.line, "%s: no rules were loaded from there",
			   n->what);
	}
	ruleset_coverage(&a->rs, &loaded, &left);
	if (!inc && loaded == 0)
		audit_warn(a, "no_rule_files", NULL, 0, "no rules were loaded: nothing inspects the callbacks");
}
