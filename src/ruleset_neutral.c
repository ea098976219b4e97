/*
 * ruleset_neutral: nothing the audit loads touches the audited server or
 * anything outside the process. Settings that would write the server's
 * files (audit and debug logs, data, temporary and upload dirs) are noted
 * and not applied; SecRuleEngine is recorded (the audit imposes its own);
 * actions and operators that run code or reach the network (exec:,
 * @inspectFile, @rbl, SecRemoteRules, SecRuleScript, data files named by
 * URL or shell syntax) are removed, each with a note naming file:line;
 * data-file paths are made absolute (libmodsecurity resolves them against
 * the working directory only).
 *
 * Invariant: a directive, operator or action this step lets through can
 * neither write a file, run a program nor open a connection when loaded
 * and run by libmodsecurity.
 */
#include "ruleset_priv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Settings the audit replaces with its own: applying the server's would
 * write its logs or files. */
static const char *const not_applied[] = {
	"SecAuditEngine", "SecAuditLog", "SecAuditLog2", "SecAuditLogStorageDir",
	"SecAuditLogType", "SecAuditLogFormat", "SecAuditLogParts",
	"SecAuditLogRelevantStatus", "SecAuditLogDirMode", "SecAuditLogFileMode",
	"SecDebugLog", "SecDebugLogLevel", "SecDataDir", "SecTmpDir",
	"SecUploadDir", "SecUploadKeepFiles", "SecUploadFileMode",
	"SecTmpSaveUploadedFiles", NULL
};

/* Operators that read files named in their argument. */
static const char *const file_ops[] = {
	"pmFromFile", "pmf", "ipMatchFromFile", "ipMatchF", NULL
};

/* Rewrite an operator's data-file paths to absolute ones. Returns NULL when
 * unchanged, a new operator string when rewritten, and sets *why when the
 * rule must not be run at all. */
char *neutral_operator(const struct ruleset *rs, const char *file, const char *op,
			  const char **why)
{
	const char *p = op, *name;
	size_t nlen;
	struct strbuf sb = STRBUF_INIT;
	int is_file_op = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '!')
		p++;
	if (*p != '@')
		return NULL;
	name = ++p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	nlen = (size_t)(p - name);
	if ((nlen == 11 && !strncasecmp(name, "inspectFile", 11))) {
		*why = "@inspectFile runs a script (the audit runs no code from the rule set)";
		return NULL;
	}
	if (nlen == 3 && !strncasecmp(name, "rbl", 3)) {
		*why = "@rbl makes DNS queries (the audit makes no network calls)";
		return NULL;
	}
	for (const char *const *f = file_ops; *f; f++)
		if (strlen(*f) == nlen && !strncasecmp(name, *f, nlen))
			is_file_op = 1;
	if (!is_file_op)
		return NULL;
	if (strstr(p, "$(") || strchr(p, '`')) {
		*why = "data file argument with shell syntax (libmodsecurity would run it)";
		return NULL;
	}
	if (strstr(p, "://")) {
		*why = "data file named by URL (libmodsecurity would download it)";
		return NULL;
	}
	strbuf_add(&sb, op, (size_t)(p - op));
	while (*p) {
		const char *s;
		char *path, *abs;
		while (isspace((unsigned char)*p))
			strbuf_addch(&sb, *p++);
		if (!*p)
			break;
		s = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		path = xstrndup(s, (size_t)(p - s));
		abs = read_resolve(rs, file, path);
		strbuf_addstr(&sb, abs);
		free(abs);
		free(path);
	}
	return strbuf_detach(&sb, NULL);
}

/* The audit runs no script, but both engines read each Lua script when
 * they read the rule: libmodsecurity 3.0.9 takes only Lua
 * (actions/exec.cc, engine/lua.cc: a name ending in ".lua"), ModSecurity 2
 * compiles SecRuleScript's and exec:'s *.lua (and runs any other program
 * exec: names, when a request matches). A script it cannot read means the
 * server does not start (apache2 -t: "Failed to compile script", measured
 * on ModSecurity 2.9.7's own regression configurations). `path`: the
 * script as the server looks for it (NULL: not known here, a relative
 * exec: path is the server's working directory's). */
static void script_check(struct ruleset *rs, struct origin at, const char *what, const char *script,
			 const char *path, int is_exec)
{
	size_t n = strlen(script);
	int lua = n >= 4 && !strcmp(script + n - 4, ".lua");
	struct stat st;
	if (rs->engine_v2 && is_exec && !lua)
		return;	/* a program, run per request */
	if (!rs->engine_v2 && !lua) {
		rs->server_fails++;
		rs_note(rs, at, "%s%s: the server would not start: libmodsecurity 3.0.9 runs only Lua scripts "
			"(\"Expecting a Lua script\")", what, script);
	} else if (path && stat(path, &st) != 0) {
		rs->server_fails++;
		rs_note(rs, at, "%s%s: the server would not start: the script is not there (%s)", what, script, path);
	}
}

int neutral_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	struct ruleset *rs = rd->rs;
	if (!strcasecmp(d->name, "SecRuleEngine")) {
		const char *v = d->nargs ? d->args[0].inner : "";
		if (rs->nginx) {	/* whose it is: nginxconf decides per server and location */
			struct load_unit *u = &rs->units[rd->unit];
			free(u->engine);
			u->engine = xstrdup(v);
			u->engine_at = at;
		}
		/* libmodsecurity parses each load (nginx: each
		 * modsecurity_rules_file) on its own and merges it into the
		 * set, where a setting already made stays: the first load
		 * that sets it wins, the last line within that load (measured
		 * with nginx). Apache keeps the last. */
		if (!rs->engine_v2 && !rs->nginx && rs->rule_engine_unit && rs->rule_engine_unit != rd->unit + 1 &&
		    !rs->units[rd->unit].scope) {
			rs_note(rs, at, "SecRuleEngine %s: no effect on a libmodsecurity 3 server (nginx): a load "
				"before this one set it (%s at %s:%d), and libmodsecurity keeps the first load's value",
				v, rs->rule_engine, rs->rule_engine_at.file ? rs->rule_engine_at.file : "?",
				rs->rule_engine_at.line);
			return 1;
		}
		free(rs->rule_engine);
		rs->rule_engine = xstrdup(v);
		rs->rule_engine_at = at;
		if (!rs->units[rd->unit].scope)
			rs->rule_engine_unit = rd->unit + 1;
		return 1;
	}
	if (rs_in_list(not_applied, d->name)) {
		rs_note(rs, at, "%s: not applied (the audit writes no file of the server's)", d->name);
		return 1;
	}
	if (!strcasecmp(d->name, "SecRemoteRules")) {
		rs_note(rs, at, "SecRemoteRules: not fetched (the audit makes no network calls); its rules are not audited");
		return 1;
	}
	if (!strcasecmp(d->name, "SecRuleScript")) {
		rs_note(rs, at, "SecRuleScript: not audited (the audit runs no code from the rule set)");
		if (d->nargs >= 1) {
			char *path = read_resolve(rs, at.file, d->args[0].inner);
			script_check(rs, at, "SecRuleScript ", d->args[0].inner, path, 0);
			free(path);
		}
		return 1;
	}
	if (!strcasecmp(d->name, "SecUnicodeMapFile") && d->nargs >= 1) {
		char *abs = read_resolve(rs, at.file, d->args[0].inner);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s %s", d->name, abs);
		for (size_t i = 1; i < d->nargs; i++)
			strbuf_addf(&sb, " %s", d->args[i].raw);
		read_emit(rd, sb.buf, at);
		strbuf_release(&sb);
		free(abs);
		return 1;
	}
	return 0;
}

int neutral_action(struct ruleset *rs, struct origin at, const struct seclang_action *a)
{
	if (!strcmp(a->name, "exec") && rs->allow_lua && a->value &&
	    strlen(a->value) > 4 && !strcmp(a->value + strlen(a->value) - 4, ".lua")) {
		rs_note(rs, at, "exec:%s kept (--allow-lua): this Lua runs inside the audit", a->value);
	} else if (!strcmp(a->name, "exec")) {
		rs_note(rs, at, "exec:%s removed (the audit runs no code from the rule set)",
			a->value ? a->value : "");
		if (a->value) {
			char *path = a->value[0] == '/' ? ruleset_rooted(rs, a->value) : NULL;
			script_check(rs, at, "exec:", a->value, path, 1);
			free(path);
		}
		return 0;
	} else if (!strcmp(a->name, "ctl") && a->value &&
		   (!strncasecmp(a->value, "auditEngine", 11) ||
		    !strncasecmp(a->value, "auditLogParts", 13) ||
		    !strncasecmp(a->value, "debugLogLevel", 13))) {
		rs_note(rs, at, "ctl:%s removed (the audit writes no file of the server's)", a->value);
		return 0;
	}
	return 1;
}
