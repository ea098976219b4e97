#include "ruleset.h"
#include "seclang.h"
#include "util/fileio.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INCLUDE_DEPTH 32

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

static int in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcasecmp(*list, name))
			return 1;
	return 0;
}

void ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	/* CRS defaults (crs-setup.conf / REQUEST-901): critical 5, error 4,
	 * warning 3, notice 2; overridden by what the rules set. */
	rs->severity_score[0] = 5;
	rs->severity_score[1] = 4;
	rs->severity_score[2] = 3;
	rs->severity_score[3] = 2;
}

void ruleset_release(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->nunits; i++) {
		free(rs->units[i].name);
		strbuf_release(&rs->units[i].text);
		free(rs->units[i].map);
	}
	free(rs->units);
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	for (size_t i = 0; i < rs->nrules; i++) {
		struct ruleinfo *r = &rs->rules[i];
		free(r->score_expr);
		free(r->vars);
		free(r->op);
		free(r->msg);
		for (size_t t = 0; t < r->ntags; t++)
			free(r->tags[t]);
		free(r->tags);
	}
	free(rs->rules);
	for (size_t i = 0; i < rs->nnotes; i++)
		free(rs->notes[i].what);
	free(rs->notes);
	free(rs->rule_engine);
	memset(rs, 0, sizeof(*rs));
}

static const char *intern(struct ruleset *rs, const char *file)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		if (!strcmp(rs->files[i], file))
			return rs->files[i];
	ARRAY_PUSH(rs->files, rs->nfiles, rs->afiles);
	rs->files[rs->nfiles] = xstrdup(file);
	return rs->files[rs->nfiles++];
}

static void add_note(struct ruleset *rs, struct origin at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_note(struct ruleset *rs, struct origin at, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* The same note in many rules (CRS's ctl:auditLogParts=+E) is one
	 * note with a count, not a hundred lines. */
	for (size_t i = 0; i < rs->nnotes; i++) {
		if (!strcmp(rs->notes[i].what, sb.buf)) {
			rs->notes[i].count++;
			strbuf_release(&sb);
			return;
		}
	}
	ARRAY_PUSH(rs->notes, rs->nnotes, rs->anotes);
	rs->notes[rs->nnotes].at = at;
	rs->notes[rs->nnotes].what = strbuf_detach(&sb, NULL);
	rs->notes[rs->nnotes].count = 1;
	rs->nnotes++;
}

/* One directive waiting to be emitted (chains are emitted whole or not at all). */
struct pending {
	char *text;
	struct origin at;
};

struct reader {
	struct ruleset *rs;
	size_t unit;
	struct pending *chain;
	size_t nchain, achain;
	int in_chain;		/* the last SecRule had `chain` */
	int drop_chain;		/* something in this chain is not to be run */
	const char *drop_why;
};

/* Each directive becomes one line, then an empty one: libmodsecurity
 * 3.0.9's lexer reads a SecRule without actions that is directly followed
 * by another directive as if that line were its actions. */
static void emit(struct reader *rd, const char *text, struct origin at)
{
	struct load_unit *u = &rd->rs->units[rd->unit];
	strbuf_addstr(&u->text, text);
	strbuf_addstr(&u->text, "\n\n");
	for (int i = 0; i < 2; i++) {
		ARRAY_PUSH(u->map, u->nmap, u->amap);
		u->map[u->nmap++] = at;
	}
}

static void flush_chain(struct reader *rd)
{
	if (rd->drop_chain && rd->nchain) {
		/* the rule's index entry was added when its first link was read */
		struct ruleset *rs = rd->rs;
		struct origin at = rd->chain[0].at;
		for (size_t i = rs->nrules; i-- > 0;) {
			if (rs->rules[i].at.file == at.file && rs->rules[i].at.line == at.line) {
				add_note(rs, at, "rule %ld not audited: %s", rs->rules[i].id,
					 rd->drop_why);
				rs->rules[i].id = -rs->rules[i].id;	/* hidden from lookups */
				break;
			}
		}
		rs->units[rd->unit].rules--;
	}
	for (size_t i = 0; i < rd->nchain; i++) {
		if (!rd->drop_chain)
			emit(rd, rd->chain[i].text, rd->chain[i].at);
		free(rd->chain[i].text);
	}
	rd->nchain = 0;
	rd->drop_chain = 0;
	rd->drop_why = NULL;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Does `path` (a glob pattern or a plain path) name anything? */
static int exists(const char *path)
{
	struct stat st;
	glob_t g;
	int found;
	if (!has_glob(path))
		return stat(path, &st) == 0;
	found = glob(path, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found;
}

/* Resolve a path named in `file`: absolute as is; relative against the
 * naming file's directory, then the working directory (libmodsecurity's two
 * places, in the order a reader of the file expects). Returns a malloc'd
 * path; when neither exists, the one beside the naming file. */
static char *resolve(const char *file, const char *path)
{
	char *copy, *cand;
	char cwd[4096];
	if (path[0] == '/')
		return xstrdup(path);
	copy = xstrdup(file);
	cand = xasprintf("%s/%s", dirname(copy), path);
	free(copy);
	if (!exists(cand) && getcwd(cwd, sizeof(cwd))) {
		char *c2 = xasprintf("%s/%s", cwd, path);
		if (exists(c2)) {
			free(cand);
			return c2;
		}
		free(c2);
	}
	return cand;
}

static int load_file(struct reader *rd, const char *path, int depth, int optional,
		     struct origin from, struct strbuf *err);

static int do_include(struct reader *rd, struct origin at, const char *arg,
		      int optional, int depth, struct strbuf *err)
{
	char *pattern = resolve(at.file, arg);
	glob_t g;
	int r;

	if (!has_glob(pattern)) {
		r = load_file(rd, pattern, depth + 1, optional, at, err);
		free(pattern);
		return r;
	}
	r = glob(pattern, 0, NULL, &g);
	if (r == GLOB_NOMATCH) {
		globfree(&g);
		if (optional) {
			free(pattern);
			return 0;
		}
		strbuf_addf(err, "%s:%d: Include %s matches no file", at.file, at.line, arg);
		free(pattern);
		return -1;
	}
	if (r != 0) {
		strbuf_addf(err, "%s:%d: cannot expand %s", at.file, at.line, arg);
		globfree(&g);
		free(pattern);
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (load_file(rd, g.gl_pathv[i], depth + 1, optional, at, err) < 0) {
			globfree(&g);
			free(pattern);
			return -1;
		}
	}
	globfree(&g);
	free(pattern);
	return 0;
}

/* Operators that read files named in their argument. */
static const char *const file_ops[] = {
	"pmFromFile", "pmf", "ipMatchFromFile", "ipMatchF", NULL
};

/* Rewrite an operator's data-file paths to absolute ones. Returns NULL when
 * unchanged, a new operator string when rewritten, and sets *why when the
 * rule must not be run at all. */
static char *fix_operator(const char *file, const char *op, const char **why)
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
		abs = resolve(file, path);
		strbuf_addstr(&sb, abs);
		free(abs);
		free(path);
	}
	return strbuf_detach(&sb, NULL);
}

static void parse_score_setting(struct ruleset *rs, const struct seclang_action *a, size_t n)
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
		if (!strncasecmp(a[i].value, "tx.inbound_anomaly_score_threshold=", 35) &&
		    isdigit((unsigned char)a[i].value[35]))
			rs->inbound_threshold = atoi(a[i].value + 35);
	}
}

static const char *const disruptive_actions[] = {
	"deny", "drop", "block", "redirect", "allow", "proxy", NULL
};

/* The anomaly score a rule adds: its first "setvar:tx.*anomaly_score*=+N".
 * Chained rules may set it in a later link (CRS 943110/943120 do, in the
 * last one): links are scanned too, into the chain's first rule. */
static void index_score(struct ruleinfo *ri, const struct seclang_action *a, size_t n)
{
	for (size_t i = 0; i < n && !ri->score_expr; i++) {
		if (!strcmp(a[i].name, "setvar") && a[i].value) {
			const char *eq = strstr(a[i].value, "=+");
			const char *an = strcasestr(a[i].value, "anomaly_score");
			if (eq && an && an < eq && !strncasecmp(a[i].value, "tx.", 3))
				ri->score_expr = xstrdup(eq + 1);
		}
	}
}

static void index_rule(struct reader *rd, struct origin at, const char *vars,
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
	index_score(ri, a, n);
	rs->units[rd->unit].rules++;
}

/* Handle one logical directive. `line` is the joined text. */
static int directive(struct reader *rd, struct origin at, const char *line,
		     int depth, struct strbuf *err)
{
	struct ruleset *rs = rd->rs;
	struct seclang_directive d;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (seclang_split(line, &d, &why) < 0) {
		strbuf_addf(err, "%s:%d: %s", at.file, at.line, why.buf);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	if (!d.name)
		return 0;

	if (!strcasecmp(d.name, "Include") || !strcasecmp(d.name, "IncludeOptional")) {
		if (d.nargs != 1) {
			strbuf_addf(err, "%s:%d: %s takes one path", at.file, at.line, d.name);
			ret = -1;
		} else {
			ret = do_include(rd, at, d.args[0].inner,
					 !strcasecmp(d.name, "IncludeOptional"), depth, err);
		}
		goto out;
	}
	if (!strcasecmp(d.name, "SecRuleEngine")) {
		free(rs->rule_engine);
		rs->rule_engine = xstrdup(d.nargs ? d.args[0].inner : "");
		rs->rule_engine_at = at;
		goto out;
	}
	if (in_list(not_applied, d.name)) {
		add_note(rs, at, "%s: not applied (the audit writes no file of the server's)", d.name);
		goto out;
	}
	if (!strcasecmp(d.name, "SecRemoteRules")) {
		add_note(rs, at, "SecRemoteRules: not fetched (the audit makes no network calls); its rules are not audited");
		goto out;
	}
	if (!strcasecmp(d.name, "SecRuleScript")) {
		add_note(rs, at, "SecRuleScript: not audited (the audit runs no code from the rule set)");
		goto out;
	}
	if (in_list(refused_v3, d.name) ||
	    (in_list(refused_when_on, d.name) && d.nargs && !strcasecmp(d.args[0].inner, "On"))) {
		add_note(rs, at, "%s: skipped (libmodsecurity 3.0.9 does not support it)", d.name);
		goto out;
	}
	if (!strcasecmp(d.name, "SecUnicodeMapFile") && d.nargs >= 1) {
		char *abs = resolve(at.file, d.args[0].inner);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s %s", d.name, abs);
		for (size_t i = 1; i < d.nargs; i++)
			strbuf_addf(&sb, " %s", d.args[i].raw);
		emit(rd, sb.buf, at);
		strbuf_release(&sb);
		free(abs);
		goto out;
	}
	if (!strcasecmp(d.name, "SecRule") || !strcasecmp(d.name, "SecAction")) {
		int is_rule = !strcasecmp(d.name, "SecRule");
		size_t nfixed = is_rule ? 2 : 0;
		struct seclang_action *a = NULL;
		size_t na = 0;
		char *newop = NULL;
		const char *drop = NULL;
		int changed = 0, starts_chain_link = rd->in_chain;
		struct strbuf out = STRBUF_INIT, acts = STRBUF_INIT;

		if (d.nargs < nfixed || d.nargs > nfixed + 1) {
			strbuf_addf(err, "%s:%d: %s takes %s", at.file, at.line, d.name,
				    is_rule ? "variables, an operator and actions" : "one action list");
			ret = -1;
			goto out;
		}
		if (d.nargs == nfixed + 1)
			na = seclang_actions(d.args[nfixed].inner, &a);
		if (is_rule)
			newop = fix_operator(at.file, d.args[1].inner, &drop);
		for (size_t i = 0; i < na; i++) {
			int keep = 1;
			if (!strcmp(a[i].name, "exec")) {
				add_note(rs, at, "exec:%s removed (the audit runs no code from the rule set)",
					 a[i].value ? a[i].value : "");
				keep = 0;
			} else if (!strcmp(a[i].name, "ctl") && a[i].value &&
				   (!strncasecmp(a[i].value, "auditEngine", 11) ||
				    !strncasecmp(a[i].value, "auditLogParts", 13) ||
				    !strncasecmp(a[i].value, "debugLogLevel", 13))) {
				add_note(rs, at, "ctl:%s removed (the audit writes no file of the server's)",
					 a[i].value);
				keep = 0;
			}
			if (!keep) {
				changed = 1;
				continue;
			}
			if (acts.len)
				strbuf_addch(&acts, ',');
			strbuf_addstr(&acts, a[i].raw);
		}
		if (!starts_chain_link) {
			flush_chain(rd);
			if (is_rule || seclang_has_action(a, na, "id"))
				index_rule(rd, at, is_rule ? d.args[0].inner : NULL,
					   is_rule ? d.args[1].inner : NULL, a, na);
		} else if (rs->nrules && rs->rules[rs->nrules - 1].chained) {
			index_score(&rs->rules[rs->nrules - 1], a, na);
		}
		if (!is_rule)
			parse_score_setting(rs, a, na);
		if (drop) {
			rd->drop_chain = 1;
			rd->drop_why = drop;
		}
		strbuf_addstr(&out, d.name);
		if (is_rule) {
			strbuf_addf(&out, " %s ", d.args[0].raw);
			if (newop) {
				seclang_quote(&out, newop);
				changed = 1;
			} else {
				strbuf_addstr(&out, d.args[1].raw);
			}
		}
		if (d.nargs == nfixed + 1) {
			strbuf_addch(&out, ' ');
			if (changed) {
				strbuf_addch(&out, '"');
				strbuf_addstr(&out, acts.buf);
				strbuf_addch(&out, '"');
			} else {
				strbuf_addstr(&out, d.args[nfixed].raw);
			}
		}
		ARRAY_PUSH(rd->chain, rd->nchain, rd->achain);
		rd->chain[rd->nchain].text = strbuf_detach(&out, NULL);
		rd->chain[rd->nchain].at = at;
		rd->nchain++;
		rd->in_chain = is_rule && seclang_has_action(a, na, "chain");
		if (!rd->in_chain)
			flush_chain(rd);
		free(newop);
		strbuf_release(&acts);
		seclang_actions_free(a, na);
		goto out;
	}
	/* Anything else goes through as written; libmodsecurity judges it. */
	flush_chain(rd);
	rd->in_chain = 0;
	emit(rd, line, at);
out:
	seclang_directive_release(&d);
	return ret;
}

/* Split text into logical lines (joining "\\" continuations) and handle
 * each directive, remembering the line each one starts on. */
static int read_text(struct reader *rd, const char *file, const char *text,
		     size_t len, int depth, struct strbuf *err)
{
	struct strbuf logical = STRBUF_INIT;
	const char *p = text, *end = text + len;
	int lineno = 0, start = 0, ret = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int cont;
		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		cont = n && p[n - 1] == '\\';
		if (!logical.len)
			start = lineno;
		strbuf_add(&logical, p, cont ? n - 1 : n);
		p = nl ? nl + 1 : end;
		if (cont && p < end)
			continue;
		{
			struct origin at = { file, start };
			if (directive(rd, at, logical.buf, depth, err) < 0) {
				ret = -1;
				break;
			}
		}
		strbuf_reset(&logical);
	}
	if (!ret && rd->in_chain && depth == 0) {
		strbuf_addf(err, "%s:%d: chain without a following rule", file, start);
		ret = -1;
	}
	strbuf_release(&logical);
	return ret;
}

static int load_file(struct reader *rd, const char *path, int depth, int optional,
		     struct origin from, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	int ret;

	if (depth > MAX_INCLUDE_DEPTH) {
		strbuf_addf(err, "%s:%d: Include nested too deeply (a loop?)", from.file, from.line);
		return -1;
	}
	if (read_file(path, &text, &why) < 0) {
		if (optional) {
			strbuf_release(&why);
			return 0;
		}
		if (from.file)
			strbuf_addf(err, "%s:%d: %s", from.file, from.line, why.buf);
		else
			strbuf_addstr(err, why.buf);
		strbuf_release(&why);
		return -1;
	}
	ret = read_text(rd, intern(rd->rs, path), text.buf, text.len, depth, err);
	strbuf_release(&text);
	return ret;
}

static size_t new_unit(struct ruleset *rs, const char *name)
{
	ARRAY_PUSH(rs->units, rs->nunits, rs->aunits);
	memset(&rs->units[rs->nunits], 0, sizeof(rs->units[0]));
	rs->units[rs->nunits].name = xstrdup(name);
	strbuf_init(&rs->units[rs->nunits].text, 0);
	return rs->nunits++;
}

static int finish(struct reader *rd, int ret)
{
	if (ret == 0)
		flush_chain(rd);
	else
		for (size_t i = 0; i < rd->nchain; i++)
			free(rd->chain[i].text);
	free(rd->chain);
	return ret;
}

int ruleset_add_file(struct ruleset *rs, const char *path, struct strbuf *err)
{
	struct reader rd = { rs, new_unit(rs, path), NULL, 0, 0, 0, 0, NULL };
	struct origin none = { NULL, 0 };
	return finish(&rd, load_file(&rd, path, 0, 0, none, err));
}

int ruleset_add_text(struct ruleset *rs, const char *name, const char *text,
		     struct strbuf *err)
{
	struct reader rd = { rs, new_unit(rs, name), NULL, 0, 0, 0, 0, NULL };
	return finish(&rd, read_text(&rd, intern(rs, name), text, strlen(text), 0, err));
}

const struct ruleinfo *ruleset_find(const struct ruleset *rs, long id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].id == id)
			return &rs->rules[i];
	return NULL;
}

struct origin ruleset_origin(const struct ruleset *rs, size_t u, int line)
{
	struct origin none = { NULL, 0 };
	if (u >= rs->nunits || line < 1 || (size_t)line > rs->units[u].nmap)
		return none;
	return rs->units[u].map[line - 1];
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
	return 0;
}
