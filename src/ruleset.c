#include "ruleset.h"
#include "seclang.h"
#include "engine.h"
#include "util/fileio.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
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
		free(rs->units[i].group);
		free(rs->units[i].scope);
		free(rs->units[i].vhost);
		free(rs->units[i].vhost_engine);
		free(rs->units[i].docroot);
		if (rs->units[i].scope_re)
			pcre2_code_free(rs->units[i].scope_re);
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
	free(rs->server_root);
	free(rs->root);
	for (int k = 0; k < 4; k++)
		free(rs->policy[k]);
	for (size_t i = 0; i < rs->noverrides; i++) {
		free(rs->overrides[i].var);
		free(rs->overrides[i].value);
	}
	free(rs->overrides);
	memset(rs, 0, sizeof(*rs));
}

void ruleset_override(struct ruleset *rs, const char *var, const char *value)
{
	rs->overrides = xrealloc(rs->overrides, (rs->noverrides + 1) * sizeof(*rs->overrides));
	rs->overrides[rs->noverrides].var = xstrdup(var);
	rs->overrides[rs->noverrides].value = xstrdup(value);
	rs->noverrides++;
}

void ruleset_override_text(const struct ruleset *rs, struct strbuf *out)
{
	for (size_t i = 0; i < rs->noverrides && i < 10; i++)
		strbuf_addf(out, "SecAction \"id:%zu,phase:1,pass,nolog,t:none,setvar:'%s=%s'\"\n",
			    99990 + i, rs->overrides[i].var, rs->overrides[i].value);
}

/* The override for `setvar` value "tx.name=...", or NULL. */
static const struct tx_override *overridden(const struct ruleset *rs, const char *setvar)
{
	const char *v = setvar;
	if (*v == '\'')
		v++;
	for (size_t i = 0; i < rs->noverrides; i++) {
		size_t l = strlen(rs->overrides[i].var);
		if (!strncasecmp(v, rs->overrides[i].var, l) && v[l] == '=')
			return &rs->overrides[i];
	}
	return NULL;
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

/* Could a rule inspecting `vars` match one of Klarna's callbacks? Those
 * are requests: what a rule reads of the request could; what it reads of
 * the response, the server's logs or collections alone could not block
 * one before it reaches WooCommerce. */
static const char *could_match(const char *vars)
{
	static const char *const request_side[] = {
		"ARGS", "REQUEST_", "QUERY_STRING", "FILES", "XML", "REQBODY", "MULTIPART",
		"REMOTE_ADDR", "PATH_INFO", "FULL_REQUEST", "URLENCODED", "JSON", NULL
	};
	for (const char *const *v = request_side; *v; v++)
		if (strcasestr(vars, *v))
			return "it inspects the request, so it could match a callback";
	return "it does not inspect the request";
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
	char *defaults[6];	/* v2: disruptive part of this unit's SecDefaultAction per phase */
	struct container {	/* Apache containers met in rule files */
		int active;	/* 0: an <IfModule !...>/<IfDefine> whose contents do not apply */
		size_t prev_unit;	/* for <Location*>: the unit to return to, else (size_t)-1 */
	} stack[32];
	int depth;
	int inactive;		/* depth of inactive containers we are inside */
};

/* Each directive becomes one line, then an empty one: libmodsecurity
 * 3.0.9's lexer reads a SecRule without actions that is directly followed
 * by another directive as if that line were its actions. */
static void emit_grouped(struct reader *rd, const char *text, struct origin at, size_t group)
{
	struct load_unit *u = &rd->rs->units[rd->unit];
	strbuf_addstr(&u->text, text);
	strbuf_addstr(&u->text, "\n\n");
	for (int i = 0; i < 2; i++) {
		if (u->nmap + 1 > u->amap) {
			u->amap = u->amap ? u->amap * 2 : 64;
			u->map = xrealloc(u->map, u->amap * sizeof(*u->map));
			u->group = xrealloc(u->group, u->amap * sizeof(*u->group));
		}
		u->map[u->nmap] = at;
		u->group[u->nmap] = group;
		u->nmap++;
	}
}

static void emit(struct reader *rd, const char *text, struct origin at)
{
	emit_grouped(rd, text, at, rd->rs->units[rd->unit].nmap);
}

static void flush_chain(struct reader *rd)
{
	if (rd->drop_chain && rd->nchain) {
		/* the rule's index entry was added when its first link was read */
		struct ruleset *rs = rd->rs;
		struct origin at = rd->chain[0].at;
		for (size_t i = rs->nrules; i-- > 0;) {
			if (rs->rules[i].at.file == at.file && rs->rules[i].at.line == at.line) {
				add_note(rs, at, "rule %ld not audited: %s; %s", rs->rules[i].id,
					 rd->drop_why, could_match(rs->rules[i].vars));
				rs->rules[i].id = -rs->rules[i].id;	/* hidden from lookups */
				break;
			}
		}
		rs->units[rd->unit].rules--;
	}
	{
		size_t group = rd->rs->units[rd->unit].nmap;
		for (size_t i = 0; i < rd->nchain; i++) {
			if (!rd->drop_chain)
				emit_grouped(rd, rd->chain[i].text, rd->chain[i].at, group);
			free(rd->chain[i].text);
		}
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

/* --root: the server's /etc/x is DIR/etc/x here. Returns malloc'd. */
static char *rooted(const struct ruleset *rs, const char *path)
{
	if (rs->root && path[0] == '/')
		return xasprintf("%s%s", rs->root, path);
	return xstrdup(path);
}

/* Resolve a path named in `file`: absolute as is (under --root); relative against the
 * naming file's directory, then the working directory (libmodsecurity's two
 * places, in the order a reader of the file expects). Returns a malloc'd
 * path; when neither exists, the one beside the naming file. */
static char *resolve(const struct ruleset *rs, const char *file, const char *path)
{
	char *copy, *cand;
	char cwd[4096];
	if (path[0] == '/')
		return rooted(rs, path);
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
	char *pattern;

	/* Apache resolves a relative Include against ServerRoot; vendor
	 * sets that name their files relative to themselves still load on
	 * servers that set things up so, so fall back to that */
	pattern = NULL;
	if (rd->rs->apache && rd->rs->server_root && arg[0] != '/') {
		char *sr = rooted(rd->rs, rd->rs->server_root);
		pattern = xasprintf("%s/%s", sr, arg);
		free(sr);
		if (!exists(pattern)) {
			free(pattern);
			pattern = NULL;
		}
	}
	if (!pattern)
		pattern = resolve(rd->rs, at.file, arg);
	glob_t g;
	int r;

	if (!has_glob(pattern)) {
		struct stat st;
		if (stat(pattern, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* Apache: Include of a directory reads every file in it */
			char *all = xasprintf("%s/*", pattern);
			free(pattern);
			pattern = all;
		} else {
			r = load_file(rd, pattern, depth + 1, optional, at, err);
			free(pattern);
			return r;
		}
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
static char *fix_operator(const struct ruleset *rs, const char *file, const char *op,
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
		abs = resolve(rs, file, path);
		strbuf_addstr(&sb, abs);
		free(abs);
		free(path);
	}
	return strbuf_detach(&sb, NULL);
}

/* The CRS policy variables whose alerts call for a setting (settings.c). */
static const char *const policy_vars[4] = {
	"tx.allowed_methods=", "tx.allowed_request_content_type=",
	"tx.allowed_http_versions=", "tx.allowed_request_content_type_charset=",
};

static void record_policy(struct ruleset *rs, const struct seclang_action *a, size_t n)
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

/* The value of a `setvar:tx.*anomaly_score*=+X` among the actions
 * ("+5", "+%{tx.critical_anomaly_score}"), malloc'd, or NULL. */
static char *score_setvar(const struct seclang_action *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = a[i].value, *eq, *an;
		if (strcmp(a[i].name, "setvar") || !v)
			continue;
		if (*v == '\'')
			v++;
		eq = strstr(v, "=+");
		an = strcasestr(v, "anomaly_score");
		if (eq && an && an < eq && !strncasecmp(v, "tx.", 3)) {
			size_t len = strlen(eq + 1);
			if (len && eq[len] == '\'')
				len--;
			return xstrndup(eq + 1, len);
		}
	}
	return NULL;
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
	ri->score_expr = score_setvar(a, n);
	rs->units[rd->unit].rules++;
}

static int is_disruptive(const char *name)
{
	static const char *const d[] = { "deny", "drop", "block", "pass", "allow", "redirect", "proxy", NULL };
	for (const char *const *p = d; *p; p++)
		if (!strcmp(name, *p))
			return 1;
	return 0;
}

static int phase_of(const struct seclang_action *a, size_t n)
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
static void record_default(struct reader *rd, const char *list)
{
	struct seclang_action *a;
	size_t n = seclang_actions(list, &a);
	struct strbuf sb = STRBUF_INIT;
	int ph = phase_of(a, n);
	for (size_t i = 0; i < n; i++)
		if (is_disruptive(a[i].name) || !strcmp(a[i].name, "status"))
			strbuf_addf(&sb, "%s%s", sb.len ? "," : "", a[i].raw);
	free(rd->defaults[ph]);
	rd->defaults[ph] = strbuf_detach(&sb, NULL);
	seclang_actions_free(a, n);
}

/* Does `@rx PATTERN` (or a bare pattern) compile under PCRE2? Returns the
 * error text (static buffer) or NULL. Other operators: NULL. */
static const char *bad_regex(const char *op)
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

static int container(struct reader *rd, struct origin at, struct seclang_directive *d,
		     struct strbuf *err, int *ret);

/* Apache mode: Apache's own directives. ServerRoot, ServerName and
 * ServerAlias are remembered; SecRuleEngine in a vhost belongs to the
 * vhost; everything else that is not ModSecurity's is Apache's business.
 * Returns 1 when handled. */
static int apache_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	struct ruleset *rs = rd->rs;
	struct load_unit *u = &rs->units[rd->unit];
	if (!strcasecmp(d->name, "ServerRoot") && d->nargs) {
		free(rs->server_root);
		rs->server_root = xstrdup(d->args[0].inner);
		return 1;
	}
	if ((!strcasecmp(d->name, "ServerName") || !strcasecmp(d->name, "ServerAlias")) && u->vhost) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, u->vhost);
		for (size_t i = 0; i < d->nargs; i++) {
			/* ServerName may carry a scheme and port */
			const char *n = d->args[i].inner;
			const char *p = strstr(n, "://");
			size_t len;
			if (p)
				n = p + 3;
			len = strcspn(n, ":/");
			strbuf_addf(&sb, "%s%.*s", sb.len ? " " : "", (int)len, n);
		}
		free(u->vhost);
		u->vhost = strbuf_detach(&sb, NULL);
		return 1;
	}
	if (!strcasecmp(d->name, "DocumentRoot") && u->vhost && d->nargs) {
		free(u->docroot);	/* --all-hosts looks for the shop's plugins there */
		u->docroot = xstrdup(d->args[0].inner);
		return 1;
	}
	if (!strcasecmp(d->name, "SecRuleEngine") && u->vhost && d->nargs) {
		free(u->vhost_engine);
		u->vhost_engine = xstrdup(d->args[0].inner);
		u->vhost_engine_at = at;
		return 1;
	}
	if (!strncasecmp(d->name, "Sec", 3) || !strcasecmp(d->name, "Include") ||
	    !strcasecmp(d->name, "IncludeOptional"))
		return 0;
	return 1;
}

/* Inside a <Location*>, configuration directives that act on requests
 * become their runtime equivalents (the scoped unit is loaded only for
 * requests the location covers): SecRuleEngine -> ctl:ruleEngine,
 * SecRuleRemoveById/ByTag -> ctl:ruleRemoveById/ByTag,
 * SecRuleUpdateTargetById ID "!T" -> ctl:ruleRemoveTargetById=ID;T.
 * Ids 99900-99989 are the tool's. Returns 1 when handled. */
static int scoped_runtime(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	struct strbuf ctl = STRBUF_INIT;
	if (!strcasecmp(d->name, "SecRuleEngine") && d->nargs) {
		strbuf_addf(&ctl, "ctl:ruleEngine=%s", d->args[0].inner);
	} else if ((!strcasecmp(d->name, "SecRuleRemoveById") || !strcasecmp(d->name, "SecRuleRemoveByTag")) &&
		   d->nargs) {
		int by_tag = !strcasecmp(d->name, "SecRuleRemoveByTag");
		for (size_t i = 0; i < d->nargs; i++)
			strbuf_addf(&ctl, "%sctl:ruleRemoveBy%s=%s", i ? "," : "", by_tag ? "Tag" : "Id",
				    d->args[i].inner);
	} else if (!strcasecmp(d->name, "SecRuleUpdateTargetById") && d->nargs == 2 &&
		   d->args[1].inner[0] == '!') {
		char *copy = xstrdup(d->args[1].inner + 1), *save = NULL;
		int k = 0;
		for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save))
			strbuf_addf(&ctl, "%sctl:ruleRemoveTargetById=%s;%s", k++ ? "," : "",
				    d->args[0].inner, t[0] == '!' ? t + 1 : t);
		free(copy);
	} else {
		return 0;
	}
	{
		char *act = xasprintf("SecAction \"id:%d,phase:1,pass,nolog,t:none,%s\"",
				      99900 + rd->rs->scoped_ids++ % 90, ctl.buf);
		emit(rd, act, at);
		free(act);
	}
	strbuf_release(&ctl);
	return 1;
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

	if (container(rd, at, &d, err, &ret))
		goto out;
	if (rd->inactive)
		goto out;
	if (rs->apache && apache_directive(rd, at, &d))
		goto out;
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
	if (rs->units[rd->unit].scope && scoped_runtime(rd, at, &d))
		goto out;
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
		char *abs = resolve(rs, at.file, d.args[0].inner);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s %s", d.name, abs);
		for (size_t i = 1; i < d.nargs; i++)
			strbuf_addf(&sb, " %s", d.args[i].raw);
		emit(rd, sb.buf, at);
		strbuf_release(&sb);
		free(abs);
		goto out;
	}
	if (!strcasecmp(d.name, "SecDefaultAction") && d.nargs == 1)
		record_default(rd, d.args[0].inner);
	if (rs->engine_v2 && d.nargs >= 1 &&
	    (!strcasecmp(d.name, "SecRuleRemoveById") || !strcasecmp(d.name, "SecRuleUpdateTargetById") ||
	     !strcasecmp(d.name, "SecRuleUpdateActionById")) &&
	    !defines_any(rs, d.args[0].inner)) {
		add_note(rs, at, "%s %s: no effect in ModSecurity 2 (the rule is defined after it); left out",
			 d.name, d.args[0].inner);
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
		const char *inherit = NULL;
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
			newop = fix_operator(rs, at.file, d.args[1].inner, &drop);
		if (is_rule && !drop) {
			const char *bad = bad_regex(d.args[1].inner);
			if (bad && rs->engine_v2) {
				strbuf_addf(err, "%s:%d: invalid regular expression (%s): ModSecurity 2 refuses this "
					    "configuration, the server would not start", at.file, at.line, bad);
				seclang_actions_free(a, na);
				ret = -1;
				goto out;
			}
			if (bad)
				add_note(rs, at, "regular expression does not compile (%s): libmodsecurity 3 loads it, "
					 "@rx never matches and !@rx always does", bad);
		}
		/* v2 merges the unit's SecDefaultAction disruptive action into
		 * rules that name none, and resolves `block` to it */
		if (rs->engine_v2 && !starts_chain_link) {
			int has = 0;
			for (size_t i = 0; i < na; i++)
				if (is_disruptive(a[i].name) && strcmp(a[i].name, "block"))
					has = 1;
			if (!has && rd->defaults[phase_of(a, na)] && *rd->defaults[phase_of(a, na)])
				inherit = rd->defaults[phase_of(a, na)];
		}
		for (size_t i = 0; i < na; i++) {
			int keep = 1;
			if (inherit && !strcmp(a[i].name, "block")) {
				changed = 1;
				continue;
			}
			if (!strcmp(a[i].name, "exec") && rs->allow_lua && a[i].value &&
			    strlen(a[i].value) > 4 && !strcmp(a[i].value + strlen(a[i].value) - 4, ".lua")) {
				add_note(rs, at, "exec:%s kept (--allow-lua): this Lua runs inside the audit", a[i].value);
			} else if (!strcmp(a[i].name, "exec")) {
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
			if (!strcmp(a[i].name, "setvar") && a[i].value && overridden(rs, a[i].value)) {
				const struct tx_override *ov = overridden(rs, a[i].value);
				strbuf_addf(&acts, "setvar:'%s=%s'", ov->var, ov->value);
				changed = 1;
				continue;
			}
			strbuf_addstr(&acts, a[i].raw);
		}
		if (inherit) {
			strbuf_addf(&acts, "%s%s", acts.len ? "," : "", inherit);
			changed = 1;
			if (!seclang_has_action(a, na, "block"))
				add_note(rs, at, "rules naming no disruptive action inherit '%s' from "
					 "SecDefaultAction (ModSecurity 2)", inherit);
		}
		if (!starts_chain_link) {
			flush_chain(rd);
			if (is_rule || seclang_has_action(a, na, "id"))
				index_rule(rd, at, is_rule ? d.args[0].inner : NULL,
					   is_rule ? d.args[1].inner : NULL, a, na);
		} else if (rs->nrules && rs->rules[rs->nrules - 1].chained) {
			/* CRS puts a chained rule's score in its last link (943110, 943120) */
			struct ruleinfo *ri = &rs->rules[rs->nrules - 1];
			char *e = ri->score_expr ? NULL : score_setvar(a, na);
			if (e)
				ri->score_expr = e;
		}
		if (!is_rule)
			parse_score_setting(rs, a, na);
		record_policy(rs, a, na);
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
	if (!ret && rd->depth && depth == 0) {
		strbuf_addf(err, "%s: a container is not closed at the end of the file", file);
		ret = -1;
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

static size_t new_unit(struct ruleset *rs, const char *name);

static void rx_quote(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\.^$|()[]{}*+?", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

/* Apache containers inside rule files (vendor sets carry <IfModule> and
 * <LocationMatch>): <IfModule>/<IfDefine> decide whether their contents
 * apply; <Location>/<LocationMatch> open a scoped unit; the others
 * (<VirtualHost>, <Directory>, <Files>) are read as applying everywhere.
 * Returns 1 when `d` was a container line. */
static int container(struct reader *rd, struct origin at, struct seclang_directive *d,
		     struct strbuf *err, int *ret)
{
	struct ruleset *rs = rd->rs;
	char *name = d->name + 1, *arg = NULL;
	size_t n;
	int closing;

	if (d->name[0] != '<')
		return 0;
	closing = name[0] == '/';
	if (closing)
		name++;
	n = strlen(name);
	if (n && name[n - 1] == '>')
		name[--n] = '\0';
	if (d->nargs) {
		struct seclang_arg *last = &d->args[d->nargs - 1];
		size_t l = strlen(last->inner);
		if (l && last->inner[l - 1] == '>')
			last->inner[l - 1] = '\0';
		arg = d->args[0].inner;
		if (!*arg && d->nargs == 1)
			arg = NULL;
	}
	if (closing) {
		struct container *c;
		if (!rd->depth) {
			strbuf_addf(err, "%s:%d: </%s> without its opening line", at.file, at.line, name);
			*ret = -1;
			return 1;
		}
		c = &rd->stack[--rd->depth];
		if (!c->active)
			rd->inactive--;
		if (c->prev_unit != (size_t)-1) {
			flush_chain(rd);
			rd->unit = c->prev_unit;
		}
		return 1;
	}
	if (rd->depth >= 32) {
		strbuf_addf(err, "%s:%d: containers nested too deeply", at.file, at.line);
		*ret = -1;
		return 1;
	}
	{
		struct container *c = &rd->stack[rd->depth++];
		c->active = 1;
		c->prev_unit = (size_t)-1;
		if (!strcasecmp(name, "IfModule")) {
			/* we are mod_security2/ModSecurity: negated tests of it fail */
			if (arg && arg[0] == '!' && strcasestr(arg, "security"))
				c->active = 0;
		} else if (!strcasecmp(name, "IfDefine")) {
			/* nothing is defined with -D here */
			c->active = arg && arg[0] == '!';
		} else if (rd->inactive == 0 && rs->apache && !strcasecmp(name, "VirtualHost") &&
			   rs->vhost_only && ++rs->vhost_seen != rs->vhost_only) {
			/* --all-hosts reads one vhost at a time: the others are
			 * not the server's for this host, like a false <IfDefine> */
			c->active = 0;
		} else if (rd->inactive == 0 && rs->apache && !strcasecmp(name, "VirtualHost")) {
			char *nm = xasprintf("<VirtualHost %s> at %s:%d", arg ? arg : "", at.file, at.line);
			size_t u;
			flush_chain(rd);
			c->prev_unit = rd->unit;
			u = new_unit(rs, nm);
			rs->units[u].vhost = xstrdup("");
			rd->unit = u;
			free(nm);
		} else if (rd->inactive == 0 &&
			   (!strcasecmp(name, "Location") || !strcasecmp(name, "LocationMatch"))) {
			struct strbuf rx = STRBUF_INIT, nm = STRBUF_INIT;
			size_t u;
			int is_match = !strcasecmp(name, "LocationMatch");
			if (!arg) {
				strbuf_addf(err, "%s:%d: <%s> without a path", at.file, at.line, name);
				*ret = -1;
				return 1;
			}
			if (is_match) {
				strbuf_addstr(&rx, arg);
			} else {
				strbuf_addch(&rx, '^');
				rx_quote(&rx, arg);
			}
			strbuf_addf(&nm, "<%s %s> at %s:%d", name, arg, at.file, at.line);
			flush_chain(rd);
			c->prev_unit = rd->unit;
			u = new_unit(rs, nm.buf);
			rs->units[u].scope = strbuf_detach(&rx, NULL);
			if (rs->units[c->prev_unit].vhost)
				rs->units[u].parent = c->prev_unit + 1;
			rd->unit = u;
			add_note(rs, at, "<%s %s>: loaded only for callbacks whose path it matches "
				 "(libmodsecurity has no locations; the audit emulates them)", name, arg);
			strbuf_release(&nm);
		}
		if (!c->active)
			rd->inactive++;
	}
	return 1;
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
	for (int i = 0; i < 6; i++)
		free(rd->defaults[i]);
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
	struct reader rd = { .rs = rs, .unit = new_unit(rs, path) };
	struct origin none = { NULL, 0 };
	glob_t g;
	int r;

	if (!has_glob(path))
		return finish(&rd, load_file(&rd, path, 0, 0, none, err));
	/* a pattern: every file it names, in glob(3)'s order, as one load */
	r = glob(path, 0, NULL, &g);
	if (r != 0 || g.gl_pathc == 0) {
		strbuf_addf(err, "%s: %s", path, r == GLOB_NOMATCH || r == 0 ? "matches no file" : "cannot expand");
		globfree(&g);
		return finish(&rd, -1);
	}
	r = 0;
	for (size_t i = 0; i < g.gl_pathc && !r; i++)
		r = load_file(&rd, g.gl_pathv[i], 0, 0, none, err);
	globfree(&g);
	return finish(&rd, r);
}

int ruleset_add_text(struct ruleset *rs, const char *name, const char *text,
		     struct strbuf *err)
{
	struct reader rd = { .rs = rs, .unit = new_unit(rs, name) };
	return finish(&rd, read_text(&rd, intern(rs, name), text, strlen(text), 0, err));
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
		add_note(rs, at, "rule %ld not audited: libmodsecurity 3.0.9 refuses it (%s); %s", id, why,
			 could_match(vars));
	else
		add_note(rs, at, "directive skipped: libmodsecurity 3.0.9 refuses it (%s)", why);
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

static int host_matches(const char *names, const char *host)
{
	char *copy = xstrdup(names), *save = NULL;
	int hit = 0;
	for (char *n = strtok_r(copy, " ", &save); n && !hit; n = strtok_r(NULL, " ", &save)) {
		if (!strcasecmp(n, host))
			hit = 1;
		else if (n[0] == '*' && n[1] == '.') {
			size_t hl = strlen(host), nl = strlen(n + 1);
			hit = hl > nl && !strcasecmp(host + hl - nl, n + 1);
		}
	}
	free(copy);
	return hit;
}

int ruleset_vhost_serves(const char *names, const char *host)
{
	return host_matches(names, host);
}

void ruleset_select_host(struct ruleset *rs, const char *host)
{
	size_t chosen = (size_t)-1, first = (size_t)-1;
	for (size_t u = 0; u < rs->nunits; u++) {
		if (!rs->units[u].vhost)
			continue;
		if (first == (size_t)-1)
			first = u;
		if (chosen == (size_t)-1 && host_matches(rs->units[u].vhost, host))
			chosen = u;
	}
	if (first == (size_t)-1)
		return;
	if (chosen == (size_t)-1) {
		struct origin at = rs->units[first].map ? rs->units[first].map[0] : (struct origin){ NULL, 0 };
		chosen = first;
		add_note(rs, at.file ? at : (struct origin){ rs->units[first].name, 0 },
			 "no <VirtualHost> names %s: Apache answers with the first one (%s)", host,
			 rs->units[first].name);
	}
	for (size_t u = 0; u < rs->nunits; u++) {
		struct load_unit *unit = &rs->units[u];
		if (unit->vhost && u != chosen)
			unit->inactive = 1;
		if (unit->parent && unit->parent - 1 != chosen)
			unit->inactive = 1;
	}
	if (rs->units[chosen].vhost_engine) {
		free(rs->rule_engine);
		rs->rule_engine = xstrdup(rs->units[chosen].vhost_engine);
		rs->rule_engine_at = rs->units[chosen].vhost_engine_at;
	}
	/* the rules of dropped vhosts are not the server's for this host */
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->units[rs->rules[i].unit].inactive && rs->rules[i].id > 0)
			rs->rules[i].id = 0;
}

char *ruleset_rooted(const struct ruleset *rs, const char *path)
{
	return rooted(rs, path);
}

int ruleset_unit_applies(const struct ruleset *rs, size_t u, const char *path)
{
	struct load_unit *unit = (struct load_unit *)&rs->units[u];	/* caches scope_re */
	pcre2_match_data *md;
	int r;
	if (unit->inactive)
		return 0;
	if (!unit->scope)
		return 1;
	if (!unit->scope_re) {
		int code;
		PCRE2_SIZE off;
		unit->scope_re = pcre2_compile((PCRE2_SPTR)unit->scope, PCRE2_ZERO_TERMINATED, 0,
					       &code, &off, NULL);
		if (!unit->scope_re)
			return 0;
	}
	md = pcre2_match_data_create_from_pattern(unit->scope_re, NULL);
	r = pcre2_match(unit->scope_re, (PCRE2_SPTR)path, strlen(path), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return r >= 0;
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
