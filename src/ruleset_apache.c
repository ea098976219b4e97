/*
 * ruleset_apache: Apache's part of reading a configuration. Containers met
 * in rule files or a server config (<IfModule>/<IfDefine> decide whether
 * their contents apply; <VirtualHost> and <Location*> open units of their
 * own), Apache's own directives (ServerRoot, ServerName...), the choice of
 * the vhost serving the audited host, and location scope at run time.
 *
 * Invariant: a unit is either unscoped (every request), a vhost's (loaded
 * when that vhost serves the host), or a location's (loaded only for a
 * request whose path its regex matches); the reader's unit is restored
 * when a container closes.
 */
#include "ruleset_priv.h"
#include "nginxconf.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Define, ${NAME} and the loaded modules (Apache 2.4) ---- */

static struct apache_define *define_find(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->ndefines; i++)
		if (!strcmp(rs->defines[i].name, name))
			return &rs->defines[i];
	return NULL;
}

/* Define NAME [VALUE] and UnDefine NAME: what <IfDefine NAME> tests and
 * ${NAME} expands to, from that line on (Apache reads them in order, the
 * way it reads the rest). Returns 1 when `d` was one of them. */
int apache_define(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	struct ruleset *rs = rd->rs;
	struct apache_define *def;
	if (strcasecmp(d->name, "Define") && strcasecmp(d->name, "UnDefine"))
		return 0;
	if (!d->nargs || d->nargs > 2) {
		rs_note(rs, at, "%s takes a name and at most a value; left out", d->name);
		return 1;
	}
	def = define_find(rs, d->args[0].inner);
	if (!strcasecmp(d->name, "UnDefine")) {
		if (def) {
			free(def->name);
			free(def->value);
			*def = rs->defines[--rs->ndefines];
		}
		return 1;
	}
	if (!def) {
		ARRAY_PUSH(rs->defines, rs->ndefines, rs->adefines);
		def = &rs->defines[rs->ndefines++];
		def->name = xstrdup(d->args[0].inner);
		def->value = NULL;
	}
	free(def->value);
	def->value = d->nargs == 2 ? xstrdup(d->args[1].inner) : NULL;
	return 1;
}

/* ${NAME} in a line, as Apache's ap_resolve_env() replaces it before it
 * splits the line into arguments (quotes and all, rules included): a
 * Define'd value first, then the environment (Apache's own; here this
 * process's, so an audit sees what `. /etc/apache2/envvars` or a
 * container's ENV exported). An undefined name stays as written (Apache
 * warns, then the directive reads the text itself: `SecRuleEngine
 * ${UNSET}` fails there as here). Malloc'd, or NULL when nothing changes. */
char *apache_expand(struct reader *rd, struct origin at, const char *line)
{
	struct ruleset *rs = rd->rs;
	struct strbuf out = STRBUF_INIT;
	const char *s = line + strspn(line, " \t"), *e;
	int changed = 0;

	int noted;

	if (*s == '#' || !strstr(s, "${"))
		return NULL;
	/* said only where the audit reads the value: ModSecurity's
	 * directives, Include, containers, the vhost's names and root (not
	 * Debian's ErrorLog ${APACHE_LOG_DIR}/error.log) */
	noted = !rd->inactive &&
		(!strncasecmp(s, "Sec", 3) || !strncasecmp(s, "Include", 7) || *s == '<' ||
		 !strncasecmp(s, "Server", 6) || !strncasecmp(s, "DocumentRoot", 12) ||
		 !strncasecmp(s, "Define", 6));
	s = line;
	while (*s) {
		const char *d = strstr(s, "${");
		char *name;
		const struct apache_define *def;
		const char *val = NULL;
		if (!d || !(e = strchr(d + 2, '}'))) {
			strbuf_addstr(&out, s);
			break;
		}
		strbuf_add(&out, s, (size_t)(d - s));
		name = xstrndup(d + 2, (size_t)(e - d - 2));
		def = define_find(rs, name);
		if (def && def->value) {
			val = def->value;
		} else if ((val = getenv(name)) && noted) {
			rs_note(rs, at, "${NAME} taken from this process's environment, as Apache takes it from "
				"its own: run the audit with the server's (Debian: . /etc/apache2/envvars; a "
				"container's ENV)");
		}
		if (val) {
			strbuf_addstr(&out, val);
			changed = 1;
		} else {
			strbuf_add(&out, d, (size_t)(e + 1 - d));
			if (noted && !strchr(name, ':'))
				rs_note(rs, at, "${%s} is not defined (no Define, not in the environment): "
					"Apache keeps it as written, and so does the audit", name);
		}
		free(name);
		s = e + 1;
	}
	if (!changed) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

/* LoadModule ID PATH: the module is known by its identifier
 * ("security2_module") and by its source file's name ("mod_security2.c",
 * from the .so's), the two names <IfModule> accepts. */
static void load_module(struct ruleset *rs, const struct seclang_directive *d)
{
	const char *base = strrchr(d->args[1].inner, '/');
	size_t n;
	base = base ? base + 1 : d->args[1].inner;
	n = strcspn(base, ".");
	rs->modules_known = 1;
	ARRAY_PUSH(rs->modules, rs->nmodules, rs->amodules);
	rs->modules[rs->nmodules++] = xstrdup(d->args[0].inner);
	ARRAY_PUSH(rs->modules, rs->nmodules, rs->amodules);
	rs->modules[rs->nmodules++] = xasprintf("%.*s.c", (int)n, base);
}

/* <IfModule NAME>. ModSecurity's own names are loaded: the audit is of the
 * server running it (a LiteSpeed server answers them too, with no
 * LoadModule). Others, in an Apache configuration that loads modules,
 * are what LoadModule loaded so far plus what Debian's apache2 has built
 * in (`apache2 -l`); with no LoadModule read (a vhost file, a rule set)
 * nothing is known and every test holds, as before. */
static int module_loaded(const struct ruleset *rs, const char *name)
{
	static const char *const builtin[] = {
		"core.c", "mod_so.c", "mod_watchdog.c", "http_core.c", "mod_log_config.c", "mod_logio.c",
		"mod_version.c", "mod_unixd.c", "core_module", "so_module", "watchdog_module", "http_module",
		"log_config_module", "logio_module", "version_module", "unixd_module", NULL
	};
	if (strcasestr(name, "security") || !rs->apache || !rs->modules_known)
		return 1;
	for (size_t i = 0; i < rs->nmodules; i++)
		if (!strcmp(rs->modules[i], name))
			return 1;
	return rs_in_list(builtin, name);
}

/* The Apache version <IfVersion> compares with: the 2.4 series the audited
 * servers run (Debian 12's release); the tool cannot ask the server. */
#define APACHE_VERSION_MAJOR 2
#define APACHE_VERSION_MINOR 4
#define APACHE_VERSION_PATCH 62
#define APACHE_VERSION_TEXT "2.4.62"

/* <IfVersion [[!]op] version>, as mod_version reads it: op is = (or ==),
 * <, <=, >, >=, or ~ (version a regex; also /regex/ with = or none);
 * missing minor/patch numbers count as 0. -1 for a line it refuses. */
static int version_matches(const struct seclang_directive *d)
{
	const char *op = "=", *ver;
	int neg = 0, cmp, want[3] = { 0, 0, 0 }, have[3] = {
		APACHE_VERSION_MAJOR, APACHE_VERSION_MINOR, APACHE_VERSION_PATCH
	};
	if (d->nargs == 1) {
		ver = d->args[0].inner;
	} else if (d->nargs == 2) {
		op = d->args[0].inner;
		ver = d->args[1].inner;
	} else {
		return -1;
	}
	if (op[0] == '!') {
		neg = 1;
		op++;
	}
	if (!strcmp(op, "~") || (ver[0] == '/' && strlen(ver) > 1 && ver[strlen(ver) - 1] == '/')) {
		char *re = ver[0] == '/' ? xstrndup(ver + 1, strlen(ver) - 2) : xstrdup(ver);
		int code;
		PCRE2_SIZE off;
		pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
		pcre2_match_data *md;
		int r;
		free(re);
		if (!c)
			return -1;
		md = pcre2_match_data_create_from_pattern(c, NULL);
		r = pcre2_match(c, (PCRE2_SPTR)APACHE_VERSION_TEXT, strlen(APACHE_VERSION_TEXT), 0, 0, md, NULL);
		pcre2_match_data_free(md);
		pcre2_code_free(c);
		return (r >= 0) != neg;
	}
	if (sscanf(ver, "%d.%d.%d", &want[0], &want[1], &want[2]) < 1)
		return -1;
	cmp = 0;
	for (int i = 0; i < 3 && !cmp; i++)
		cmp = (have[i] > want[i]) - (have[i] < want[i]);
	if (!strcmp(op, "=") || !strcmp(op, "=="))
		return (cmp == 0) != neg;
	if (!strcmp(op, "<"))
		return (cmp < 0) != neg;
	if (!strcmp(op, "<="))
		return (cmp <= 0) != neg;
	if (!strcmp(op, ">"))
		return (cmp > 0) != neg;
	if (!strcmp(op, ">="))
		return (cmp >= 0) != neg;
	return -1;
}

/* Apache mode: Apache's own directives. ServerRoot, ServerName and
 * ServerAlias are remembered; SecRuleEngine in a vhost belongs to the
 * vhost; everything else that is not ModSecurity's is Apache's business.
 * Returns 1 when handled. */
int apache_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	struct ruleset *rs = rd->rs;
	struct load_unit *u = &rs->units[rd->unit];
	if (!strcasecmp(d->name, "LoadModule") && d->nargs == 2) {
		load_module(rs, d);
		return 1;
	}
	if (!strcasecmp(d->name, "ServerRoot") && d->nargs) {
		free(rs->server_root);
		rs->server_root = xstrdup(d->args[0].inner);
		return 1;
	}
	if (!strcasecmp(d->name, "ServerName") && !u->vhost && !u->scope && d->nargs) {
		/* a <VirtualHost> naming none answers to this one (Apache) */
		const char *n = d->args[0].inner, *p = strstr(n, "://");
		if (p)
			n = p + 3;
		free(rs->server_name);
		rs->server_name = xstrndup(n, strcspn(n, ":/"));
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
	if (!strcasecmp(d->name, "DocumentRoot") && d->nargs) {
		/* --all-hosts looks for the shop's plugins there; <Directory>
		 * scopes are matched against it */
		char **slot = u->vhost ? &u->docroot : u->scope ? NULL : &rs->docroot;
		if (slot) {
			free(*slot);
			*slot = xstrdup(d->args[0].inner);
		}
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

/* Inside a <Location*>, <Files*> or <Directory*>, configuration directives
 * that act on requests become their runtime equivalents, loaded first
 * (load_unit.pre) for the requests the scope covers. Under ModSecurity 2
 * they take effect from phase 2: mod_security2 runs phase 1 with the
 * server's and vhost's configuration only (REQUEST_EARLY, its default
 * build), and merges the per-directory one for phases 2-5 (measured on
 * Debian's 2.9 with Apache 2.4: SecRuleRemoveById and SecRuleEngine Off in
 * a <Location> or <Files> leave a phase-1 rule running, and stop a phase-2
 * one). SecRuleEngine -> ctl:ruleEngine,
 * SecRuleRemoveById/ByTag -> ctl:ruleRemoveById/ByTag,
 * SecRuleUpdateTargetById ID "!T" -> ctl:ruleRemoveTargetById=ID;T.
 * Ids 99900-99989 are the tool's. Returns 1 when handled. */
int apache_scoped_runtime(struct reader *rd, struct origin at, struct seclang_directive *d)
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
	/* loaded first (load_unit.pre): the server's configuration merge
	 * applies them to every rule, whatever its phase or place */
	strbuf_addf(&rd->rs->units[rd->unit].pre, "SecAction \"id:%d,phase:%d,pass,nolog,t:none,%s\"\n\n",
		    99900 + rd->rs->scoped_ids++ % 90, rd->rs->engine_v2 ? 2 : 1, ctl.buf);
	(void)at;
	strbuf_release(&ctl);
	return 1;
}

static void rx_quote(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\.^$|()[]{}*+?", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

/* Apache compiles a container's regex when it reads its configuration and
 * does not start on a bad one: <LocationMatch>, <DirectoryMatch>,
 * <FilesMatch>, and <Location|Directory|Files ~ "regex">. */
static int check_container_regex(struct origin at, const char *name,
				 const struct seclang_directive *d, struct strbuf *err)
{
	const char *re = NULL;
	pcre2_code *code;
	int errcode;
	PCRE2_SIZE off;

	if (!d->nargs)
		return 0;
	if (!strcasecmp(name, "LocationMatch") || !strcasecmp(name, "DirectoryMatch") ||
	    !strcasecmp(name, "FilesMatch"))
		re = d->args[0].inner;
	else if ((!strcasecmp(name, "Location") || !strcasecmp(name, "Directory") ||
		  !strcasecmp(name, "Files")) && d->nargs >= 2 && !strcmp(d->args[0].inner, "~"))
		re = d->args[1].inner;
	if (!re)
		return 0;
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &errcode, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		strbuf_addf(err, "%s:%d: <%s \"%s\">: invalid regular expression (%s at offset %lu): "
			    "Apache refuses this configuration, the server would not start",
			    at.file, at.line, name, re, (const char *)msg, (unsigned long)off);
		return -1;
	}
	pcre2_code_free(code);
	return 0;
}

/* Apache's wildcards in a <Directory>/<Files> path (fnmatch: * and ?
 * stop at '/', [...] a class) as a regex fragment. */
static void rx_wild(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '*')
			strbuf_addstr(out, "[^/]*");
		else if (*s == '?')
			strbuf_addstr(out, "[^/]");
		else if (*s == '[' && strchr(s, ']')) {
			const char *e = strchr(s + 1, ']');
			strbuf_addch(out, '[');
			if (s[1] == '!') {
				strbuf_addch(out, '^');
				s++;
			}
			strbuf_add(out, s + 1, (size_t)(e - s - 1));
			strbuf_addch(out, ']');
			s = e;
		} else {
			char one[2] = { *s, 0 };
			rx_quote(out, one);
		}
	}
}

/* The scoping containers: what their argument is matched against. */
static int scope_kind_of(const char *name)
{
	if (!strcasecmp(name, "Location") || !strcasecmp(name, "LocationMatch"))
		return SCOPE_PATH;
	if (!strcasecmp(name, "Files") || !strcasecmp(name, "FilesMatch"))
		return SCOPE_FILE;
	if (!strcasecmp(name, "Directory") || !strcasecmp(name, "DirectoryMatch"))
		return SCOPE_DIR;
	return -1;
}

/* Open <Location*>, <Files*> or <Directory*> as a scoped unit: loaded
 * only for the requests it covers (libmodsecurity has no such contexts;
 * the audit emulates them). <Location> is a path prefix, <Files> a file
 * name (wildcards), <Directory> a directory and everything below it
 * (wildcards); the *Match forms and `~` take a regex. A scope inside
 * another keeps both (`outer`). */
static int open_scope(struct reader *rd, struct origin at, const char *name,
		      const struct seclang_directive *d, const char *arg, struct strbuf *err)
{
	struct ruleset *rs = rd->rs;
	struct strbuf rx = STRBUF_INIT, nm = STRBUF_INIT;
	int kind = scope_kind_of(name);
	int is_match = strlen(name) > 5 && !strcasecmp(name + strlen(name) - 5, "Match");
	size_t u;
	if (!is_match && arg && d->nargs >= 2 && !strcmp(arg, "~")) {
		is_match = 1;	/* <Location ~ "regex"> */
		arg = d->args[1].inner;
	}
	if (!arg) {
		strbuf_addf(err, "%s:%d: <%s> without a path", at.file, at.line, name);
		return -1;
	}
	if (is_match) {
		strbuf_addstr(&rx, arg);
	} else if (kind == SCOPE_PATH) {
		strbuf_addch(&rx, '^');
		rx_quote(&rx, arg);
	} else if (kind == SCOPE_FILE) {
		strbuf_addch(&rx, '^');
		rx_wild(&rx, arg);
		strbuf_addch(&rx, '$');
	} else {
		/* a directory covers itself and what is below it */
		size_t n = strlen(arg);
		char *dir = xstrdup(arg);
		while (n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
		strbuf_addch(&rx, '^');
		if (strcmp(dir, "/"))
			rx_wild(&rx, dir);
		strbuf_addstr(&rx, "(/|$)");
		free(dir);
	}
	strbuf_addf(&nm, "<%s %s> at %s:%d", name, arg, at.file, at.line);
	read_flush_chain(rd);
	rd->prev_unit_of_scope = rd->unit;
	u = rs_new_unit(rs, nm.buf);
	rs->units[u].scope = strbuf_detach(&rx, NULL);
	rs->units[u].scope_kind = kind;
	{
		size_t prev = rd->prev_unit_of_scope;
		if (rs->units[prev].scope)
			rs->units[u].outer = prev + 1;
		while (rs->units[prev].scope && rs->units[prev].outer)
			prev = rs->units[prev].outer - 1;
		if (rs->units[prev].scope)
			rs->units[u].parent = rs->units[prev].parent;
		else if (rs->units[prev].vhost)
			rs->units[u].parent = prev + 1;
	}
	rd->unit = u;
	rs->units[u].scope_at = at;
	strbuf_release(&nm);
	return 0;
}

/* Apache containers inside rule files (vendor sets carry <IfModule> and
 * <LocationMatch>): <IfModule>/<IfDefine> decide whether their contents
 * apply; <Location*>, <Files*> and <Directory*> open a scoped unit;
 * a <VirtualHost> its own unit; the others (<If>, <Proxy>...) are read as
 * applying everywhere.
 * Returns 1 when `d` was a container line. */
int apache_container(struct reader *rd, struct origin at, struct seclang_directive *d,
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
		if (rd->depth <= rd->file_base) {
			strbuf_addf(err, "%s:%d: </%s> closes a container opened in another file "
				    "(Apache refuses it)", at.file, at.line, name);
			*ret = -1;
			return 1;
		}
		c = &rd->stack[--rd->depth];
		if (!c->active)
			rd->inactive--;
		if (c->vhost) {	/* back to the server's context */
			rd->default_phases = c->saved_phases;
			for (int i = 0; i < 6; i++) {
				free(rd->defaults[i]);
				rd->defaults[i] = c->saved_defaults[i];
				c->saved_defaults[i] = NULL;
			}
			c->vhost = 0;
		}
		if (c->prev_unit != (size_t)-1) {
			read_flush_chain(rd);
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
		c->vhost = 0;
		c->at = at;
		snprintf(c->name, sizeof(c->name), "%s", name);
		if (check_container_regex(at, name, d, err) < 0) {
			*ret = -1;
			return 1;
		}
		if (!strcasecmp(name, "IfModule")) {
			if (arg)
				c->active = module_loaded(rs, arg + (arg[0] == '!')) != (arg[0] == '!');
		} else if (!strcasecmp(name, "IfDefine")) {
			/* what Define defined before this line (no -D here) */
			if (arg)
				c->active = (define_find(rs, arg + (arg[0] == '!')) != NULL) != (arg[0] == '!');
		} else if (!strcasecmp(name, "IfVersion")) {
			int m = version_matches(d);
			if (m < 0 && !rd->inactive) {
				strbuf_addf(err, "%s:%d: <IfVersion> needs [[!]operator] version (=, <, <=, >, >=, ~)",
					    at.file, at.line);
				*ret = -1;
				return 1;
			}
			c->active = m > 0;
			if (!rd->inactive)
				rs_note(rs, at, "<IfVersion>: compared with Apache " APACHE_VERSION_TEXT
					" (the audit cannot ask the server its version)");
		} else if (rd->inactive == 0 &&
			   (!strcasecmp(name, "If") || !strcasecmp(name, "ElseIf") || !strcasecmp(name, "Else"))) {
			rs_note(rs, at, "<%s>: read as applying to every request (the audit does not evaluate "
				"Apache's expressions)", name);
		} else if (rd->inactive == 0 && rs->apache && !strcasecmp(name, "VirtualHost") &&
			   rs->vhost_only && ++rs->vhost_seen != rs->vhost_only) {
			/* --all-hosts reads one vhost at a time: the others are
			 * not the server's for this host, like a false <IfDefine> */
			c->active = 0;
		} else if (rd->inactive == 0 && rs->apache && !strcasecmp(name, "VirtualHost")) {
			char *nm = xasprintf("<VirtualHost %s> at %s:%d", arg ? arg : "", at.file, at.line);
			size_t u;
			read_flush_chain(rd);
			c->prev_unit = rd->unit;
			u = rs_new_unit(rs, nm);
			rs->units[u].vhost = xstrdup("");
			rd->unit = u;
			free(nm);
			/* A vhost is its own configuration context and its own
			 * load: it inherits the server's SecDefaultActions and may
			 * set its own per phase (each vhost including CRS does),
			 * which stay in it. */
			c->vhost = 1;
			c->saved_phases = rd->default_phases;
			rd->default_phases = 0;
			for (int i = 0; i < 6; i++) {
				c->saved_defaults[i] = rd->defaults[i];
				rd->defaults[i] = rd->defaults[i] ? xstrdup(rd->defaults[i]) : NULL;
			}
		} else if (rd->inactive == 0 && scope_kind_of(name) >= 0) {
			if (open_scope(rd, at, name, d, arg, err) < 0) {
				*ret = -1;
				return 1;
			}
			c->prev_unit = rd->prev_unit_of_scope;
		}
		if (!c->active)
			rd->inactive++;
	}
	return 1;
}

static int host_matches(const char *names, const char *host)
{
	char *copy = xstrdup(names), *save = NULL;
	int hit = 0;
	for (char *n = strtok_r(copy, " ", &save); n && !hit; n = strtok_r(NULL, " ", &save)) {
		if (!strcasecmp(n, host))
			hit = 1;
		else if (strpbrk(n, "*?"))	/* ServerAlias wildcards, * and ? anywhere */
			hit = fnmatch(n, host, FNM_CASEFOLD) == 0;
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
		rs_note(rs, at.file ? at : (struct origin){ rs->units[first].name, 0 },
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

/* The document root a request of the audited host is served from: its
 * vhost's (the one not dropped), else the main server's; NULL unknown. */
static const char *served_docroot(const struct ruleset *rs, const struct load_unit *unit)
{
	if (unit->parent)
		return rs->units[unit->parent - 1].docroot;
	for (size_t u = 0; u < rs->nunits; u++)
		if (rs->units[u].vhost && !rs->units[u].inactive)
			return rs->units[u].docroot ? rs->units[u].docroot : rs->docroot;
	return rs->docroot;
}

static int scope_matches(struct load_unit *unit, const char *subject)
{
	pcre2_match_data *md;
	int r;
	if (!unit->scope_re) {
		int code;
		PCRE2_SIZE off;
		unit->scope_re = pcre2_compile((PCRE2_SPTR)unit->scope, PCRE2_ZERO_TERMINATED, 0,
					       &code, &off, NULL);
		if (!unit->scope_re)
			return 0;
	}
	md = pcre2_match_data_create_from_pattern(unit->scope_re, NULL);
	r = pcre2_match(unit->scope_re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return r >= 0;
}

int ruleset_unit_applies(const struct ruleset *rs, size_t u, const char *path)
{
	struct load_unit *unit = (struct load_unit *)&rs->units[u];	/* caches scope_re */
	if (unit->inactive)
		return 0;
	if (!unit->scope)
		return 1;
	if (unit->outer && !ruleset_unit_applies(rs, unit->outer - 1, path))
		return 0;
	if (unit->scope_kind == SCOPE_NGINX)
		return nginx_location_applies(rs, unit->nloc, path);
	if (unit->scope_kind == SCOPE_FILE) {
		/* mod_security2 takes the request's per-directory configuration
		 * before WordPress's rewrite (its fixup runs first): the file
		 * is the path's first part, which does not exist in the
		 * document root (/wc-api/X/: "wc-api"; /index.php/...:
		 * "index.php"); / (the ?wc-api=X form) is the directory itself,
		 * which no <Files> covers. Measured on Apache 2.4 + mod_security2. */
		const char *first = path + (path[0] == '/');
		size_t n = strcspn(first, "/?");
		char *seg;
		int hit;
		if (!n)
			return 0;
		seg = xstrndup(first, n);
		hit = scope_matches(unit, seg);
		free(seg);
		return hit;
	}
	if (unit->scope_kind == SCOPE_DIR) {
		const char *root = served_docroot(rs, unit);
		return !root || scope_matches(unit, root);
	}
	return scope_matches(unit, path);
}

static void unit_free(struct load_unit *u)
{
	free(u->name);
	strbuf_release(&u->text);
	strbuf_release(&u->pre);
	free(u->map);
	free(u->group);
	free(u->scope);
	free(u->vhost);
	free(u->vhost_engine);
	free(u->engine);
	free(u->docroot);
	free(u->named_ids);
	if (u->scope_re)
		pcre2_code_free(u->scope_re);
}

void apache_drop_empty_scopes(struct ruleset *rs)
{
	size_t *to, n = 0;
	/* a <VirtualHost> without ServerName takes the main server's (Apache
	 * merges it at startup, wherever the main one is written) */
	for (size_t u = 0; rs->apache && rs->server_name && u < rs->nunits; u++)
		if (rs->units[u].vhost && !rs->units[u].vhost[0]) {
			free(rs->units[u].vhost);
			rs->units[u].vhost = xstrdup(rs->server_name);
		}
	/* nginxconf keeps unit ranges per server while it reads: no index moves */
	if (rs->nginx || !rs->nunits)
		return;
	to = xmalloc(rs->nunits * sizeof(*to));
	for (size_t u = 0; u < rs->nunits; u++) {
		struct load_unit *unit = &rs->units[u];
		int empty = unit->scope && unit->nmap == 0 && !unit->pre.len;
		for (size_t v = u + 1; empty && v < rs->nunits; v++)
			if (rs->units[v].outer == u + 1 && (rs->units[v].nmap || rs->units[v].pre.len))
				empty = 0;	/* its inner scopes load something */
		if (empty) {
			to[u] = SIZE_MAX;
			unit_free(unit);
			continue;
		}
		to[u] = n;
		if (unit->scope && unit->scope_at.file) {
			char *what = xstrndup(unit->name, strcspn(unit->name, ">") + 1);
			int kind = unit->scope_kind;
			rs_note(rs, unit->scope_at, "%s: loaded only for callbacks %s (libmodsecurity has no %s; "
				"the audit emulates them)", what,
				kind == SCOPE_PATH ? "whose path it matches"
				: kind == SCOPE_FILE ? "whose path's first part it names (the file Apache maps it to)"
				: "whose document root it covers",
				kind == SCOPE_PATH ? "locations" : kind == SCOPE_FILE ? "<Files>" : "<Directory>");
			unit->scope_at.file = NULL;
			free(what);
		}
		if (n != u)
			rs->units[n] = *unit;
		n++;
	}
	for (size_t u = 0; u < n; u++) {
		struct load_unit *unit = &rs->units[u];
		if (unit->parent)
			unit->parent = to[unit->parent - 1] == SIZE_MAX ? 0 : to[unit->parent - 1] + 1;
		if (unit->outer)
			unit->outer = to[unit->outer - 1] == SIZE_MAX ? 0 : to[unit->outer - 1] + 1;
	}
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].unit < rs->nunits && to[rs->rules[i].unit] != SIZE_MAX)
			rs->rules[i].unit = to[rs->rules[i].unit];
	rs->nunits = n;
	free(to);
}
