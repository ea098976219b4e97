/*
 * ruleset_read: reading a server's configuration files into load units.
 * Follows Include/IncludeOptional itself with glob(3) (libmodsecurity uses
 * wordexp(), which runs shell expansions), joins continuation lines, hands
 * each directive to the pipeline's steps (ruleset_priv.h) and emits what
 * is to be loaded.
 *
 * Invariants: each directive is emitted as one output line followed by an
 * empty one, and map[i] names the file:line where output line i+1's
 * directive starts (the line map every note and error goes back through);
 * group[i] is the first output line of its directive or chain, so a chain
 * is kept or left out whole; a chain is emitted only once its last link
 * has been read.
 */
#include "ruleset_priv.h"
#include "util/fileio.h"
#include "util/rootpath.h"

#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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

void read_emit(struct reader *rd, const char *text, struct origin at)
{
	emit_grouped(rd, text, at, rd->rs->units[rd->unit].nmap);
}

/* The index entry of the rule whose first link is at `at` (added when
 * that link was read), or NULL. */
static struct ruleinfo *rule_at(struct ruleset *rs, struct origin at)
{
	for (size_t i = rs->nrules; i-- > 0;)
		if (rs->rules[i].at.file == at.file && rs->rules[i].at.line == at.line)
			return &rs->rules[i];
	return NULL;
}

void read_flush_chain(struct reader *rd)
{
	if (rd->drop_chain && rd->nchain) {
		struct ruleset *rs = rd->rs;
		struct origin at = rd->chain[0].at;
		struct ruleinfo *ri = rule_at(rs, at);
		if (ri) {
			rs_note(rs, at, "rule %ld not audited: %s; %s", ri->id, rd->drop_why,
				rs_could_match(ri->vars));
			ri->id = -ri->id;	/* hidden from lookups */
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

/* --root: the server's /etc/x is DIR/etc/x here, its symlinks followed
 * inside DIR (an absolute one must not lead to the host's own /etc/x).
 * Returns malloc'd. */
char *read_rooted(const struct ruleset *rs, const char *path)
{
	if (rs->root && path[0] == '/')
		return root_resolve(rs->root, path);
	return xstrdup(path);
}

char *read_confined(const struct ruleset *rs, const char *path)
{
	return root_confine(rs->root, path);
}

/* Resolve a path named in `file`: absolute as is (under --root); relative against the
 * naming file's directory, then the working directory (libmodsecurity's two
 * places, in the order a reader of the file expects). Returns a malloc'd
 * path; when neither exists, the one beside the naming file. */
char *read_resolve(const struct ruleset *rs, const char *file, const char *path)
{
	char *copy, *cand;
	char cwd[4096];
	if (path[0] == '/')
		return read_rooted(rs, path);
	copy = xstrdup(file);
	{
		char *joined = xasprintf("%s/%s", dirname(copy), path);
		cand = read_confined(rs, joined);
		free(joined);
	}
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
		char *sr = read_rooted(rd->rs, rd->rs->server_root);
		char *joined = xasprintf("%s/%s", sr, arg);
		pattern = read_confined(rd->rs, joined);
		free(joined);
		free(sr);
		if (!exists(pattern)) {
			free(pattern);
			pattern = NULL;
		}
	}
	if (!pattern)
		pattern = read_resolve(rd->rs, at.file, arg);
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
			/* warnings.c: an empty rule-set include is no all-clear */
			rs_note(rd->rs, at, "IncludeOptional matched no file: %s", arg);
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

/* The action list a SecRule/SecAction is loaded with: side effects
 * removed, `block` and the v2 default merged (`inherit`), --paranoia and
 * --threshold values imposed. Returns 1 when it differs from the text. */
static int rule_actions(struct reader *rd, struct origin at, const struct seclang_action *a,
			size_t na, const char *inherit, struct strbuf *acts)
{
	struct ruleset *rs = rd->rs;
	int changed = 0;

	for (size_t i = 0; i < na; i++) {
		if (inherit && !strcmp(a[i].name, "block")) {
			changed = 1;
			continue;
		}
		if (!neutral_action(rs, at, &a[i])) {
			changed = 1;
			continue;
		}
		if (acts->len)
			strbuf_addch(acts, ',');
		if (!strcmp(a[i].name, "setvar") && a[i].value && rs_overridden(rs, a[i].value)) {
			const struct tx_override *ov = rs_overridden(rs, a[i].value);
			/* the value the imposed settings hold, not written here:
			 * the unit reads the same at every level (one parse) */
			strbuf_addf(acts, "setvar:'%s=%%{tx.mca_imposed_%s}'", ov->var, rs_imposed_name(ov->var));
			changed = 1;
			continue;
		}
		strbuf_addstr(acts, a[i].raw);
	}
	if (inherit) {
		strbuf_addf(acts, "%s%s", acts->len ? "," : "", inherit);
		changed = 1;
		if (!seclang_has_action(a, na, "block"))
			rs_note(rs, at, "rules naming no disruptive action inherit '%s' from "
				"SecDefaultAction (ModSecurity 2)", inherit);
	}
	return changed;
}

/* Index a rule's first link, or add a later link's score to its rule. */
static void rule_index(struct reader *rd, struct origin at, struct seclang_directive *d,
		       int is_rule, int starts_chain_link, const struct seclang_action *a, size_t na)
{
	struct ruleset *rs = rd->rs;
	if (!starts_chain_link) {
		read_flush_chain(rd);
		if (is_rule || seclang_has_action(a, na, "id"))
			index_rule(rd, at, is_rule ? d->args[0].inner : NULL,
				   is_rule ? d->args[1].inner : NULL, a, na);
	} else if (rs->nrules && rs->rules[rs->nrules - 1].chained) {
		/* CRS puts a chained rule's score in its last link (943110, 943120) */
		struct ruleinfo *ri = &rs->rules[rs->nrules - 1];
		char *e = ri->score_expr ? NULL : index_score_setvar(a, na);
		if (e)
			ri->score_expr = e;
	}
	if (!is_rule)
		index_score_setting(rs, a, na);
	index_policy(rs, a, na);
}

/* libmodsecurity 3.0.9's lexer reads a rule's action list from its opening
 * quote to the last quote of the line, quotes inside and all
 * (ModSecurity's regression test issue-1850: msg:"...'" loads and runs on
 * nginx); Apache splits it into more arguments and refuses the rule. For
 * a v3 server the arguments after the operator (after nothing, for
 * SecAction) become that one list again. 1 when they did. */
static int v3_join_actions(const struct ruleset *rs, const char *line, struct seclang_directive *d,
			   size_t nfixed)
{
	const char *open = line + strspn(line, " \t") + strlen(d->name), *close;
	if (rs->engine_v2 || d->nargs <= nfixed + 1 || d->args[nfixed].raw[0] != '"')
		return 0;
	/* past the variables and the operator, as written (the same text may
	 * stand earlier: "x" "x" ...) */
	for (size_t i = 0; i < nfixed && open; i++) {
		open = strstr(open, d->args[i].raw);
		if (open)
			open += strlen(d->args[i].raw);
	}
	close = strrchr(line, '"');
	open = open ? strstr(open, d->args[nfixed].raw) : NULL;
	if (!open || !close || close <= open)
		return 0;
	for (size_t i = nfixed; i < d->nargs; i++) {
		free(d->args[i].raw);
		free(d->args[i].inner);
	}
	d->nargs = nfixed + 1;
	d->args[nfixed].raw = xstrndup(open, (size_t)(close + 1 - open));
	d->args[nfixed].inner = xstrndup(open + 1, (size_t)(close - open - 1));
	d->args[nfixed].quoted = 1;
	return 1;
}

/* SecRule or SecAction: neutralised, read as v2 reads it when the server is
 * v2, indexed, and queued with its chain (emitted whole or dropped whole). */
static int rule(struct reader *rd, struct origin at, const char *line, struct seclang_directive *d,
		struct strbuf *err)
{
	struct ruleset *rs = rd->rs;
	int is_rule = !strcasecmp(d->name, "SecRule");
	size_t nfixed = is_rule ? 2 : 0;
	struct seclang_action *a = NULL;
	size_t na = 0;
	char *newop = NULL;
	const char *drop = NULL, *inherit = NULL;
	int changed, starts_chain_link = rd->in_chain;
	struct strbuf out = STRBUF_INIT, acts = STRBUF_INIT;

	if (v3_join_actions(rs, line, d, nfixed))
		rs_note(rs, at, "%s: a quote inside the action list; read as libmodsecurity 3.0.9 reads it, from "
			"its first quote to the last on the line (Apache refuses this rule)", d->name);
	if (d->nargs < nfixed || d->nargs > nfixed + 1) {
		strbuf_addf(err, "%s:%d: %s takes %s", at.file, at.line, d->name,
			    is_rule ? "variables, an operator and actions" : "one action list");
		return -1;
	}
	if (d->nargs == nfixed + 1)
		na = seclang_actions(d->args[nfixed].inner, &a);
	if (is_rule)
		newop = neutral_operator(rs, at.file, d->args[1].inner, &drop);
	/* mod_security2 (built with REQUEST_EARLY, its default) runs phase 1
	 * in post_read_request, before Apache maps the request to its
	 * <Location>/<Directory>/<Files>: measured on Debian's 2.9, a phase-1
	 * rule in one never runs */
	if (!drop && !starts_chain_link && rs->engine_v2 && rs->units[rd->unit].scope &&
	    v2_phase_of(a, na) == 1)
		drop = "a phase-1 rule inside <Location>/<Directory>/<Files> never runs under ModSecurity 2 "
		       "(phase 1 runs before Apache maps the request to them)";
	if (is_rule && !drop && v2_check_regex(rd, at, d->args[1].inner, err) < 0) {
		free(newop);
		seclang_actions_free(a, na);
		return -1;
	}
	if (rs->engine_v2 && !starts_chain_link)
		inherit = v2_inherited(rd, a, na);
	changed = rule_actions(rd, at, a, na, inherit, &acts);
	rule_index(rd, at, d, is_rule, starts_chain_link, a, na);
	if (drop) {
		rd->drop_chain = 1;
		rd->drop_why = drop;
	}
	strbuf_addstr(&out, d->name);
	if (is_rule) {
		strbuf_addf(&out, " %s ", d->args[0].raw);
		if (newop) {
			seclang_quote(&out, newop);
			changed = 1;
		} else {
			strbuf_addstr(&out, d->args[1].raw);
		}
	}
	if (d->nargs == nfixed + 1) {
		strbuf_addch(&out, ' ');
		if (changed) {
			strbuf_addch(&out, '"');
			strbuf_addstr(&out, acts.buf);
			strbuf_addch(&out, '"');
		} else {
			strbuf_addstr(&out, d->args[nfixed].raw);
		}
	}
	if (rs->engine_v2) {
		struct strbuf how = STRBUF_INIT;
		unsigned what;
		char *tr = v2_translate_as(out.buf, &how, V2_READ | V2_BACKSLASHES);
		if (tr) {
			if (strstr(tr, V2_COMMA_MACRO))
				rs->v2_comma = 1;
			rs_note(rs, at, "translated: %s", how.buf);
			strbuf_reset(&out);
			strbuf_addstr(&out, tr);
			free(tr);
		}
		/* after the backslashes are Apache's: ^ and $ of the regex v2 runs */
		tr = v2_anchor_line(out.buf, &what, rs->v2_pcre_limit, rs->v2_pcre_depth);
		if (tr) {
			if (what & V2_LINE_UNESCAPED)
				rs_note(rs, at, V2_UNESCAPE_NOTE);
			if (what & V2_LINE_ANCHORED)
				rs_note(rs, at, V2_ANCHOR_NOTE);
			if (what & V2_LINE_LIMITED)
				rs_note(rs, at, V2_LIMIT_NOTE);
			strbuf_reset(&out);
			strbuf_addstr(&out, tr);
			free(tr);
		}
		strbuf_release(&how);
	}
	ARRAY_PUSH(rd->chain, rd->nchain, rd->achain);
	rd->chain[rd->nchain].text = strbuf_detach(&out, NULL);
	rd->chain[rd->nchain].at = at;
	rd->nchain++;
	rd->in_chain = is_rule && seclang_has_action(a, na, "chain");
	if (!rd->in_chain)
		read_flush_chain(rd);
	free(newop);
	strbuf_release(&acts);
	seclang_actions_free(a, na);
	return 0;
}

/* Handle one logical directive (`line`, continuations joined), in pipeline
 * order: containers and Apache's directives, Include, location scope,
 * neutralising, what 3.0.9 refuses, v2 meaning, rules; anything else goes
 * through as written and libmodsecurity judges it (ruleset_fit). */
static int directive(struct reader *rd, struct origin at, const char *line,
		     int depth, struct strbuf *err)
{
	struct ruleset *rs = rd->rs;
	struct seclang_directive d;
	int ret = 0;
	char *expanded = NULL;

	/* Apache (and mod_security2 rule files, which Apache reads) resolves
	 * ${NAME} in the whole line before anything else */
	if (rs->apache || rs->engine_v2)
		expanded = apache_expand(rd, at, line);
	if (expanded)
		line = expanded;
	seclang_split(line, &d);
	if (!d.name) {
		free(expanded);
		return 0;
	}

	if (apache_container(rd, at, &d, err, &ret) || rd->inactive)
		goto out;
	if (d.unterminated)
		rs_note(rs, at, "%s: a quote is not closed; read to the end of the line, as Apache and "
			"libmodsecurity 3.0.9 read it (both load and run such a rule)", d.name);
	/* The tool sets the engine mode itself (engine.h), so libmodsecurity
	 * never sees this directive: refuse here what both engines refuse
	 * (mod_security2: "Invalid value for SecRuleEngine"), rather than
	 * audit an engine the server would not start with. */
	if (!strcasecmp(d.name, "SecRuleEngine") &&
	    (d.nargs != 1 || (strcasecmp(d.args[0].inner, "On") && strcasecmp(d.args[0].inner, "Off") &&
			      strcasecmp(d.args[0].inner, "DetectionOnly")))) {
		strbuf_addf(err, "%s:%d: SecRuleEngine \"%.60s\"%s is not On, Off or DetectionOnly%s",
			    at.file, at.line, d.nargs ? d.args[0].inner : "",
			    d.nargs > 1 ? " (with more arguments)" : "",
			    d.nargs && strstr(d.args[0].inner, "${") && (rs->apache || rs->engine_v2)
			    ? " (an undefined variable: Apache takes ${NAME} from Define or its environment; "
			      "run the audit with the server's)" : "");
		ret = -1;
		goto out;
	}
	if ((rs->apache || rs->engine_v2) && apache_define(rd, at, &d))
		goto out;
	if (rs->apache && apache_directive(rd, at, &d))
		goto out;
	if (!strcasecmp(d.name, "Include") || !strcasecmp(d.name, "IncludeOptional")) {
		if (d.nargs != 1) {
			strbuf_addf(err, "%s:%d: %s takes one path", at.file, at.line, d.name);
			ret = -1;
		} else {
			if (!rs->apache && !rs->engine_v2 && !strcasecmp(d.name, "IncludeOptional")) {
				/* measured: nginx -t with libmodsecurity 3.0.9 says
				 * "Rules error ... Invalid input: IncludeOptional"
				 * (Debian's owasp-crs.load, written for Apache) */
				if (rs->nginx) {
					rs_note(rs, at, "IncludeOptional: the server would not start: libmodsecurity "
						"3.0.9 refuses it (\"Invalid input\"; Apache's mod_security2 reads it); "
						"followed here as Include, the rest is audited");
					rs->server_fails++;
				} else {
					rs_note(rs, at, "IncludeOptional: libmodsecurity 3.0.9 refuses it (nginx would "
						"not start; Apache's mod_security2 reads it); followed here");
				}
			}
			ret = do_include(rd, at, d.args[0].inner,
					 !strcasecmp(d.name, "IncludeOptional"), depth, err);
		}
		goto out;
	}
	if (rs->units[rd->unit].scope && apache_scoped_runtime(rd, at, &d))
		goto out;
	if (neutral_directive(rd, at, &d) || fit_directive(rd, at, &d))
		goto out;
	if (rs->engine_v2 && strncasecmp(d.name, "Sec", 3)) {
		/* ServerSignature, Header, RewriteRule... in a rule file: Apache
		 * reads the file and applies them; they are not ModSecurity's */
		rs_note(rs, at, "%s: an Apache directive in a rule file; Apache applies it, the audit skips it",
			d.name);
		goto out;
	}
	if (!strcasecmp(d.name, "SecDefaultAction") && d.nargs == 1 && v2_record_default(rd, at, d.args[0].inner))
		goto out;
	if (rs->engine_v2)
		v2_pcre_limit_directive(rs, &d);	/* and on to libmodsecurity, which ignores it */
	if (rs->engine_v2 && v2_before_definition(rd, at, &d))
		goto out;
	if (rs->engine_v2 && v2_remove_by_directive(rd, at, &d))
		goto out;
	if (!strcasecmp(d.name, "SecRule") || !strcasecmp(d.name, "SecAction")) {
		ret = rule(rd, at, line, &d, err);
		goto out;
	}
	read_flush_chain(rd);
	rd->in_chain = 0;
	read_emit(rd, line, at);
out:
	seclang_directive_release(&d);
	free(expanded);
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
		/* Apache strips a line's trailing white space before it looks
		 * for the continuation backslash ("\\  " continues) */
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
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
		/* Apache + mod_security2 and nginx + libmodsecurity 3.0.9 both
		 * load a rule whose chain nothing follows, and it never matches
		 * (3.0.9: "marked as chained but there isn't a subsequent
		 * rule"; both measured): loaded as it is, and said */
		struct origin at = rd->nchain ? rd->chain[0].at : (struct origin){ file, start };
		const struct ruleinfo *ri = rule_at(rd->rs, at);
		rs_note(rd->rs, at, "rule %ld: its chain ends with no rule after it, so it never matches "
			"(Apache and nginx load it as it is)", ri ? ri->id : 0);
		read_flush_chain(rd);
		rd->in_chain = 0;
	}
	strbuf_release(&logical);
	return ret;
}

/* Read one file. An included one must be a regular file (as Apache reads
 * its configuration: `Include /dev/zero` never ended) and a size limit
 * holds for all; IncludeOptional skips only what does not exist. Apache
 * closes every container in the file that opens it. */
static int load_file(struct reader *rd, const char *given, int depth, int optional,
		     struct origin from, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	char *path;
	int ret, base = rd->file_base;

	if (depth > MAX_INCLUDE_DEPTH || rd->nfiles >= MAX_INCLUDED_FILES) {
		strbuf_addf(err, "%s:%d: Include nested deeper than %d levels or more than %d files "
			    "(a loop?)", from.file, from.line, MAX_INCLUDE_DEPTH, MAX_INCLUDED_FILES);
		return -1;
	}
	rd->nfiles++;
	path = read_confined(rd->rs, given);
	ret = from.file ? read_config_file(path, &text, &why) : read_file(path, &text, &why);
	if (ret < 0) {
		if (optional && access(path, F_OK) < 0) {
			rs_note(rd->rs, from, "IncludeOptional matched no file: %s", path);
			strbuf_release(&why);
			free(path);
			return 0;
		}
		if (from.file)
			strbuf_addf(err, "%s:%d: %s", from.file, from.line, why.buf);
		else
			strbuf_addstr(err, why.buf);
		strbuf_release(&why);
		free(path);
		return -1;
	}
	rd->file_base = rd->depth;
	ret = read_text(rd, rs_intern(rd->rs, path), text.buf, text.len, depth, err);
	if (!ret && rd->depth > rd->file_base) {
		const struct container *c = &rd->stack[rd->depth - 1];
		strbuf_addf(err, "%s:%d: <%s> is not closed in this file (Apache refuses it)",
			    c->at.file, c->at.line, c->name);
		ret = -1;
	}
	rd->file_base = base;
	strbuf_release(&text);
	free(path);
	return ret;
}

static int finish(struct reader *rd, int ret)
{
	for (int i = 0; i < 6; i++)
		free(rd->defaults[i]);
	for (int d = 0; d < rd->depth; d++)	/* a <VirtualHost> left open by an error */
		for (int i = 0; rd->stack[d].vhost && i < 6; i++)
			free(rd->stack[d].saved_defaults[i]);
	if (ret == 0) {
		read_flush_chain(rd);
		apache_drop_empty_scopes(rd->rs);
	} else
		for (size_t i = 0; i < rd->nchain; i++)
			free(rd->chain[i].text);
	free(rd->chain);
	return ret;
}

int ruleset_add_file(struct ruleset *rs, const char *path, struct strbuf *err)
{
	struct reader rd = { .rs = rs, .unit = rs_new_unit(rs, path) };
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
	struct reader rd = { .rs = rs, .unit = rs_new_unit(rs, name) };
	int ret = read_text(&rd, rs_intern(rs, name), text, strlen(text), 0, err);
	if (!ret && rd.depth) {
		const struct container *c = &rd.stack[rd.depth - 1];
		strbuf_addf(err, "%s:%d: <%s> is not closed", c->at.file, c->at.line, c->name);
		ret = -1;
	}
	return finish(&rd, ret);
}

char *ruleset_rooted(const struct ruleset *rs, const char *path)
{
	return read_rooted(rs, path);
}

struct origin ruleset_origin(const struct ruleset *rs, size_t u, int line)
{
	struct origin none = { NULL, 0 };
	if (u >= rs->nunits || line < 1 || (size_t)line > rs->units[u].nmap)
		return none;
	return rs->units[u].map[line - 1];
}
