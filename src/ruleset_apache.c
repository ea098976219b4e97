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

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Apache mode: Apache's own directives. ServerRoot, ServerName and
 * ServerAlias are remembered; SecRuleEngine in a vhost belongs to the
 * vhost; everything else that is not ModSecurity's is Apache's business.
 * Returns 1 when handled. */
int apache_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
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
	{
		char *act = xasprintf("SecAction \"id:%d,phase:1,pass,nolog,t:none,%s\"",
				      99900 + rd->rs->scoped_ids++ % 90, ctl.buf);
		read_emit(rd, act, at);
		free(act);
	}
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

/* Apache containers inside rule files (vendor sets carry <IfModule> and
 * <LocationMatch>): <IfModule>/<IfDefine> decide whether their contents
 * apply; <Location>/<LocationMatch> open a scoped unit; the others
 * (<VirtualHost>, <Directory>, <Files>) are read as applying everywhere.
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
		} else if (rd->inactive == 0 &&
			   (!strcasecmp(name, "Location") || !strcasecmp(name, "LocationMatch"))) {
			struct strbuf rx = STRBUF_INIT, nm = STRBUF_INIT;
			size_t u;
			int is_match = !strcasecmp(name, "LocationMatch");
			if (!is_match && arg && d->nargs >= 2 && !strcmp(arg, "~")) {
				is_match = 1;	/* <Location ~ "regex"> */
				arg = d->args[1].inner;
			}
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
			read_flush_chain(rd);
			c->prev_unit = rd->unit;
			u = rs_new_unit(rs, nm.buf);
			rs->units[u].scope = strbuf_detach(&rx, NULL);
			if (rs->units[c->prev_unit].vhost)
				rs->units[u].parent = c->prev_unit + 1;
			rd->unit = u;
			rs_note(rs, at, "<%s %s>: loaded only for callbacks whose path it matches "
				 "(libmodsecurity has no locations; the audit emulates them)", name, arg);
			strbuf_release(&nm);
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
