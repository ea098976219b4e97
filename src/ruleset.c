/*
 * ruleset: the ruleset object (life cycle, notes, interned file names,
 * load units) that the loader's steps fill in. See ruleset_priv.h for the
 * steps and ruleset.h for what the rest of the tool reads.
 *
 * Invariants: notes are unique by text (a repeat counts up the first
 * one's `count`, keeping its place); every origin's file is one of
 * rs->files, so origins compare by pointer.
 */
#include "ruleset_priv.h"

#include <stdarg.h>
#include <stdio.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int rs_in_list(const char *const *list, const char *name)
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
		strbuf_release(&rs->units[i].pre);
		free(rs->units[i].map);
		free(rs->units[i].group);
		free(rs->units[i].scope);
		free(rs->units[i].vhost);
		free(rs->units[i].vhost_engine);
		free(rs->units[i].engine);
		free(rs->units[i].docroot);
		free(rs->units[i].named_ids);
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
	free(rs->v2_prelude);
	free(rs->server_root);
	free(rs->docroot);
	free(rs->server_name);
	for (size_t i = 0; i < rs->nnlocs; i++) {
		free(rs->nlocs[i].arg);
		if (rs->nlocs[i].re)
			pcre2_code_free(rs->nlocs[i].re);
	}
	free(rs->nlocs);
	for (size_t i = 0; i < rs->ndefines; i++) {
		free(rs->defines[i].name);
		free(rs->defines[i].value);
	}
	free(rs->defines);
	for (size_t i = 0; i < rs->nmodules; i++)
		free(rs->modules[i]);
	free(rs->modules);
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

const char *rs_imposed_name(const char *var)
{
	return strncasecmp(var, "tx.", 3) ? var : var + 3;
}

/* Each imposed value also goes into tx.mca_imposed_NAME, which the server's
 * own setvar of it now reads (rule_actions in ruleset_read.c): the server's
 * units then read the same whatever the value, and are parsed once for
 * every --paranoia level (the sweep) and --threshold. */
void ruleset_override_text(const struct ruleset *rs, struct strbuf *out)
{
	if (rs->v2_comma)
		strbuf_addstr(out, V2_COMMA_TEXT);
	for (size_t i = 0; i < rs->noverrides && i < 6; i++)
		strbuf_addf(out, "SecAction \"id:%zu,phase:1,pass,nolog,t:none,setvar:'%s=%s',"
			    "setvar:'tx.mca_imposed_%s=%s'\"\n",
			    99990 + i, rs->overrides[i].var, rs->overrides[i].value,
			    rs_imposed_name(rs->overrides[i].var), rs->overrides[i].value);
	if (rs->v2_prelude)
		strbuf_addstr(out, rs->v2_prelude);
	else
		ruleset_v2_prelude(rs, out);
}

/* The override for `setvar` value "tx.name=...", or NULL. */
const struct tx_override *rs_overridden(const struct ruleset *rs, const char *setvar)
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

const char *rs_intern(struct ruleset *rs, const char *file)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		if (!strcmp(rs->files[i], file))
			return rs->files[i];
	ARRAY_PUSH(rs->files, rs->nfiles, rs->afiles);
	rs->files[rs->nfiles] = xstrdup(file);
	return rs->files[rs->nfiles++];
}


void ruleset_note(struct ruleset *rs, struct origin at, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	rs_note(rs, at, "%s", sb.buf);
	strbuf_release(&sb);
}

void rs_note(struct ruleset *rs, struct origin at, const char *fmt, ...)
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
const char *rs_could_match(const char *vars)
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

size_t rs_new_unit(struct ruleset *rs, const char *name)
{
	free(rs->v2_prelude);	/* computed again by ruleset_fit */
	rs->v2_prelude = NULL;
	ARRAY_PUSH(rs->units, rs->nunits, rs->aunits);
	memset(&rs->units[rs->nunits], 0, sizeof(rs->units[0]));
	rs->units[rs->nunits].name = xstrdup(name);
	strbuf_init(&rs->units[rs->nunits].text, 0);
	strbuf_init(&rs->units[rs->nunits].pre, 0);
	return rs->nunits++;
}
