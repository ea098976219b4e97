#include "exclusion.h"
#include "seclang.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Characters that cannot stand in a ctl target without quoting trouble. */
static int target_ok(const char *t)
{
	if (!*t || !strchr(t, ':'))
		return 0;
	for (; *t; t++)
		if (isspace((unsigned char)*t) || strchr(",;\"'|!&", *t))
			return 0;
	return 1;
}

/* Variables that only mirror others (TX, MATCHED_*) cannot be excluded
 * as targets: the rule itself has to go. */
static int derived(const char *var)
{
	return !strncasecmp(var, "TX:", 3) || !strncasecmp(var, "MATCHED_", 8) ||
	       !strncasecmp(var, "IP:", 3) || !strncasecmp(var, "SESSION:", 8) ||
	       !strncasecmp(var, "GLOBAL:", 7) || !strncasecmp(var, "RESOURCE:", 9) ||
	       !strncasecmp(var, "USER:", 5);
}

/* Is `name` an argument name in the query of `uri`? */
static int query_has_name(const char *uri, const char *name)
{
	const char *q = strchr(uri, '?');
	size_t nl = strlen(name);
	if (!q)
		return 0;
	for (const char *p = q + 1; *p;) {
		size_t len = strcspn(p, "=&");
		if (len == nl && !strncmp(p, name, nl))
			return 1;
		p += strcspn(p, "&");
		if (*p == '&')
			p++;
	}
	return 0;
}

/* The first link's collection that lists argument names, if any. */
static const char *names_collection(const char *vars)
{
	static const char *const cols[] = { "ARGS_GET_NAMES", "ARGS_NAMES", NULL };
	for (const char *const *c = cols; *c; c++) {
		const char *p = strcasestr(vars, *c);
		size_t l = strlen(*c);
		if (p && (p == vars || p[-1] == '|') && (!p[l] || p[l] == '|'))
			return *c;
	}
	return NULL;
}

/* Does the first link's variable list ("ARGS|REQUEST_COOKIES") name
 * collection `col` itself (not ARGS_NAMES, not !ARGS:x)? */
static int vars_have(const char *vars, const char *col)
{
	size_t l = strlen(col);
	for (const char *p = vars; (p = strcasestr(p, col)) != NULL; p += l)
		if ((p == vars || p[-1] == '|') && (!p[l] || p[l] == '|' || p[l] == ':'))
			return 1;
	return 0;
}

char *exclusion_target(const struct ruleinfo *ri, const struct match *m,
		       const struct request *req)
{
	const char *col, *v;
	long off, len;
	char *line, *name = NULL, *ret = NULL;

	if (!ri)
		return NULL;
	if (!ri->chained) {
		if (derived(m->variable) || !target_ok(m->variable))
			return NULL;
		return xstrdup(m->variable);
	}
	/* A chain whose first link saved the argument it matched as
	 * tx.<word>_%{MATCHED_VAR_NAME} and whose last link tests that TX
	 * variable (CRS 931130's tx.rfi_parameter_ARGS:<name>): the log
	 * names TX:<word>_ARGS:<name>; the first link's target is ARGS:<name>. */
	if (!strncasecmp(m->variable, "TX:", 3) && (v = strstr(m->variable, "_ARGS:")) != NULL &&
	    strcspn(m->variable + 3, "_") < (size_t)(v - m->variable - 2) + 1 &&
	    vars_have(ri->vars, "ARGS")) {
		char *t = xstrdup(v + 1);
		if (target_ok(t))
			return t;
		free(t);
		return NULL;
	}
	/* A chain: the log names the last link's variable, but a target
	 * exclusion acts on the first link. ref's first "v<off>,<len>" is the
	 * first link's match, an offset into "METHOD URI" for query data. */
	col = names_collection(ri->vars);
	v = strchr(m->ref, 'v');
	if (!col || !v)
		return NULL;
	off = strtol(v + 1, (char **)&v, 10);
	if (*v != ',')
		return NULL;
	len = strtol(v + 1, NULL, 10);
	line = xasprintf("%s %s", req->method, req->uri);
	if (off >= 0 && len > 0 && (size_t)(off + len) <= strlen(line))
		name = xstrndup(line + off, (size_t)len);
	if (name && query_has_name(req->uri, name)) {
		char *t = xasprintf("%s:%s", col, name);
		if (target_ok(t))
			ret = t;
		else
			free(t);
	}
	free(name);
	free(line);
	return ret;
}

int exclusion_counts_target(const struct ruleinfo *ri, const char *target)
{
	size_t cl = strcspn(target, ":");
	const char *p;
	if (!ri || !ri->vars)
		return 0;
	for (p = strchr(ri->vars, '&'); p; p = strchr(p + 1, '&'))
		if (!strncasecmp(p + 1, target, cl) && (p[1 + cl] == ':' || p[1 + cl] == '|' || !p[1 + cl]))
			return 1;
	return 0;
}

/* Escape regex metacharacters for PCRE. */
static void rx_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\.^$|()[]{}*+?", *s))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

/* The regex on REQUEST_URI_RAW matching the callback's path forms (not
 * the query form), anchored at both ends of the path: "(?:\?|$)" after it.
 * REQUEST_URI_RAW, not REQUEST_FILENAME: libmodsecurity 3.0.9 cuts
 * REQUEST_FILENAME at a decoded %3f (CVE-2024-1019), so
 * /wc-api/KCO_WC_Push/%3f/../../wp-login.php would pass for the callback
 * while the server serves /wp-login.php. The raw URI is not decoded, so
 * such a request does not match and stays fully inspected. Returns 0 when
 * no path form is covered. */
int exclusion_path_regex(struct strbuf *op, const struct exclusion *x, int raw_uri)
{
	const struct callback *cb = x->cb;
	const char *slash = cb->trailing_slash ? "/" : "";
	int p = !!(x->forms & URL_FORM_BIT(FORM_PATH));
	int i = !!(x->forms & URL_FORM_BIT(FORM_INDEX));

	strbuf_addstr(op, "^");
	if (cb->path) {
		/* placeholders (the Klarna order id) stand for one plain segment */
		for (const char *s = cb->path; *s;) {
			const char *o = strstr(s, "{{"), *e;
			char *lit;
			if (!o || !(e = strstr(o, "}}"))) {
				rx_escape(op, s);
				break;
			}
			lit = xstrndup(s, (size_t)(o - s));
			rx_escape(op, lit);
			free(lit);
			strbuf_addstr(op, "[0-9A-Za-z_-]+");
			s = e + 2;
		}
	} else if (p || i) {
		strbuf_addstr(op, p && i ? "/(?:index\\.php/)?" : p ? "/" : "/index\\.php/");
		strbuf_addstr(op, "wc-api/");
		rx_escape(op, cb->wc_api);
		rx_escape(op, slash);
	} else {
		return 0;
	}
	strbuf_addstr(op, raw_uri ? "(?:\\?|$)" : "$");
	return 1;
}

/* Who sends a callback, as the snippet's comment says it: "Klarna's",
 * "PayPal's", "the shop's" (the catalogue's sender, capitalised). */
static void sender_name(struct strbuf *sb, const char *sender)
{
	if (!strcmp(sender, "shop")) {
		strbuf_addstr(sb, "the shop's");
		return;
	}
	if (!strcmp(sender, "paypal")) {
		strbuf_addstr(sb, "PayPal's");
		return;
	}
	strbuf_addch(sb, (char)toupper((unsigned char)*sender));
	strbuf_addf(sb, "%s's", sender + 1);
}

const char *excl_scope_name(enum excl_scope s)
{
	static const char *const n[] = { "target", "rule", "tag", "engine_off", "setting" };
	return n[s];
}

static void ctl(struct strbuf *out, const struct exclusion *x)
{
	switch (x->scope) {
	case EXCL_TARGET:
		for (size_t i = 0; i < x->ntargets; i++)
			strbuf_addf(out, "%sctl:ruleRemoveTargetById=%ld;%s", i ? "," : "",
				    x->rule_id, x->targets[i]);
		break;
	case EXCL_RULE:
		strbuf_addf(out, "ctl:ruleRemoveById=%ld", x->rule_id);
		break;
	case EXCL_TAG:
		strbuf_addf(out, "ctl:ruleRemoveByTag=%s", x->tag);
		break;
	case EXCL_ENGINE_OFF:
		strbuf_addstr(out, "ctl:ruleEngine=Off");
		break;
	case EXCL_SETTING:
		strbuf_addf(out, "setvar:'%s=%s'", x->setting_var, x->setting_value);
		break;
	}
}

/* Tags that name a family of rules worth removing together (not the
 * rule set, platform or paranoia level, which cover everything). */
static const char *useful_tag(const struct ruleinfo *ri)
{
	static const char *const generic[] = {
		"OWASP_CRS", "application-multi", "language-multi", "platform-multi",
		"paranoia-level/", "capec/", "PCI/", "OWASP_", "WASCTC/", "CWAF", NULL
	};
	const char *best = NULL;
	for (size_t i = 0; ri && i < ri->ntags; i++) {
		int skip = 0;
		for (const char *const *g = generic; *g; g++)
			if (!strncmp(ri->tags[i], *g, strlen(*g)))
				skip = 1;
		if (skip || strpbrk(ri->tags[i], " ,;\"'"))
			continue;
		if (!strncmp(ri->tags[i], "attack-", 7))
			return ri->tags[i];
		if (!best)
			best = ri->tags[i];
	}
	return best;
}

int exclusion_escalate(struct exclusion *x, const struct ruleinfo *ri)
{
	const char *tag;
	switch (x->scope) {
	case EXCL_SETTING:	/* the policy was not the (only) cause */
		x->scope = EXCL_RULE;
		return 0;
	case EXCL_TARGET:
		exclusion_widen(x);
		return 0;
	case EXCL_RULE:
		tag = useful_tag(ri);
		if (tag) {
			x->tag = xstrdup(tag);
			x->scope = EXCL_TAG;
		} else {
			x->scope = EXCL_ENGINE_OFF;	/* no family to name */
		}
		return 0;
	case EXCL_TAG:
		x->scope = EXCL_ENGINE_OFF;
		return 0;
	case EXCL_ENGINE_OFF:
		break;
	}
	return -1;
}

void exclusion_startup(struct strbuf *out, const struct exclusion *x)
{
	switch (x->scope) {
	case EXCL_TARGET:
		for (size_t i = 0; i < x->ntargets; i++)
			strbuf_addf(out, "SecRuleUpdateTargetById %ld \"!%s\"\n", x->rule_id, x->targets[i]);
		break;
	case EXCL_RULE:
		strbuf_addf(out, "SecRuleRemoveById %ld\n", x->rule_id);
		break;
	case EXCL_TAG:
		strbuf_addf(out, "SecRuleRemoveByTag \"%s\"\n", x->tag);
		break;
	case EXCL_ENGINE_OFF:
		strbuf_addstr(out, "SecRuleEngine Off\n");
		break;
	case EXCL_SETTING:
		strbuf_addf(out, "# a setting, not an exclusion: %s\n", x->advice);
		break;
	}
}

/* One exclusion rule: conditions chained, the ctl on the last link. */
static void emit_rule(struct strbuf *sb, const char *const *conds, size_t n, long id,
		      const struct exclusion *x)
{
	for (size_t i = 0; i < n; i++) {
		const char *indent = i ? "    " : "";
		strbuf_addf(sb, "%s%s \\\n%s    \"", i ? "    " : "", conds[i], indent);
		if (!i)
			strbuf_addf(sb, "id:%ld,phase:1,pass,t:none,nolog,", id);
		else
			strbuf_addstr(sb, "t:none,");
		if (i + 1 < n)
			strbuf_addstr(sb, "chain");
		else
			ctl(sb, x);
		strbuf_addstr(sb, "\"\n");
	}
}

static int eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int exclusion_same_scope(const struct exclusion *x, const struct callback *cb, unsigned forms)
{
	return x->forms == forms && eq(x->cb->wc_api, cb->wc_api) && eq(x->cb->path, cb->path) &&
	       x->cb->trailing_slash == cb->trailing_slash;
}

int exclusion_for(const struct exclusion *x, const struct callback *cb)
{
	if (x->cb == cb)
		return 1;
	for (size_t i = 0; i < x->nalso; i++)
		if (x->also[i] == cb)
			return 1;
	return 0;
}

int exclusion_add_target(struct exclusion *x, const char *target)
{
	for (size_t i = 0; i < x->ntargets; i++)
		if (!strcmp(x->targets[i], target))
			return -1;
	if (x->ntargets >= EXCL_MAX_TARGETS)
		return -1;
	x->targets = xrealloc(x->targets, (x->ntargets + 1) * sizeof(char *));
	x->targets[x->ntargets++] = xstrdup(target);
	x->scope = EXCL_TARGET;
	return 0;
}

void exclusion_widen(struct exclusion *x)
{
	for (size_t i = 0; i < x->ntargets; i++)
		free(x->targets[i]);
	free(x->targets);
	x->targets = NULL;
	x->ntargets = 0;
	x->scope = EXCL_RULE;
}

void exclusion_render(struct exclusion *x, const struct ruleinfo *ri)
{
	struct strbuf sb = STRBUF_INIT, op = STRBUF_INIT, ip = STRBUF_INIT;
	long id = x->first_id;

	if (x->source_ips) {
		strbuf_addstr(&ip, "SecRule REMOTE_ADDR ");
		strbuf_addstr(&op, "@ipMatch ");
		strbuf_addstr(&op, x->source_ips);
		seclang_quote(&ip, op.buf);
		strbuf_reset(&op);
	}

	strbuf_addf(&sb, "# Rule exclusion: %ld - %s\n", x->rule_id,
		    ri && *ri->msg ? ri->msg : "(no msg)");
	strbuf_addstr(&sb, "# Lets ");
	sender_name(&sb, x->cb->sender);
	strbuf_addf(&sb, " %s through (%s)", x->cb->name, x->cb->title);
	for (size_t i = 0; i < x->nalso; i++)
		strbuf_addf(&sb, "%s%s", i + 1 == x->nalso ? " and " : ", ", x->also[i]->name);
	strbuf_addstr(&sb, ".\n");
	if (x->reason)
		strbuf_addf(&sb, "# Why: %s\n", x->reason);
	if (x->scope == EXCL_TARGET) {
		strbuf_addstr(&sb, "# Scope: only ");
		for (size_t i = 0; i < x->ntargets; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", x->targets[i]);
		strbuf_addf(&sb, " on this path; rule %ld still inspects everything else.\n", x->rule_id);
	} else if (x->scope == EXCL_RULE) {
		strbuf_addf(&sb, "# Scope: rule %ld is off for this path only.\n", x->rule_id);
	} else if (x->scope == EXCL_TAG) {
		strbuf_addf(&sb, "# Scope: every rule tagged '%s' is off for this path (removing rule %ld alone did not work).\n",
			    x->tag, x->rule_id);
	}
	if (x->scope == EXCL_SETTING)
		strbuf_addf(&sb, "# A setting, not an exclusion: %s.\n", x->advice);
	if (x->source_ips) {
		strbuf_addf(&sb, "# Only from %s (your list of ", x->source_ips);
		sender_name(&sb, x->cb->sender);
		strbuf_addstr(&sb, " addresses).\n");
	}
	if (x->scope == EXCL_ENGINE_OFF)
		strbuf_addstr(&sb, "# RISKY: the WAF is off for this path: no rule inspects these requests\n"
			    "# (the 'whitelist /wc-api/*' advice). Every narrower option failed.\n");
	if (exclusion_path_regex(&op, x, 1)) {
		struct strbuf c1 = STRBUF_INIT, c2 = STRBUF_INIT;
		const char *conds[2];
		size_t n = 0;
		strbuf_addstr(&c1, "SecRule REQUEST_URI_RAW ");
		strbuf_addstr(&c2, "@rx ");
		strbuf_addstr(&c2, op.buf);
		seclang_quote(&c1, c2.buf);
		conds[n++] = c1.buf;
		if (x->source_ips)
			conds[n++] = ip.buf;
		emit_rule(&sb, conds, n, id++, x);
		strbuf_release(&c1);
		strbuf_release(&c2);
	}
	if (x->cb->wc_api && (x->forms & URL_FORM_BIT(FORM_QUERY))) {
		/* /?wc-api=NAME: that parameter exactly once, so a second
		 * wc-api=OTHER cannot send the exempted request elsewhere */
		struct strbuf c1 = STRBUF_INIT, rx = STRBUF_INIT;
		const char *conds[3];
		size_t n = 0;
		strbuf_addstr(&rx, "@rx ^/\\?(?:[^#]*&)?wc-api=");
		rx_escape(&rx, x->cb->wc_api);
		strbuf_addstr(&rx, "(?:&|$)");
		strbuf_addstr(&c1, "SecRule REQUEST_URI_RAW ");
		seclang_quote(&c1, rx.buf);
		conds[n++] = c1.buf;
		conds[n++] = "SecRule &ARGS_GET:wc-api \"@eq 1\"";
		if (x->source_ips)
			conds[n++] = ip.buf;
		emit_rule(&sb, conds, n, id++, x);
		strbuf_release(&c1);
		strbuf_release(&rx);
	}
	strbuf_release(&ip);
	free(x->snippet);
	x->snippet = strbuf_detach(&sb, NULL);
	x->nids = (int)(id - x->first_id);
	strbuf_release(&op);
}

void exclusion_release(struct exclusion *x)
{
	exclusion_widen(x);
	free(x->tag);
	free(x->setting_var);
	free(x->setting_value);
	free(x->advice);
	free(x->also);
	free(x->reason);
	free(x->snippet);
	memset(x, 0, sizeof(*x));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void exclusion_copy(struct exclusion *dst, const struct exclusion *src)
{
	*dst = *src;
	dst->targets = src->ntargets ? xcalloc(src->ntargets, sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->ntargets; i++)
		dst->targets[i] = xstrdup(src->targets[i]);
	dst->also = src->nalso ? xcalloc(src->nalso, sizeof(*dst->also)) : NULL;
	for (size_t i = 0; i < src->nalso; i++)
		dst->also[i] = src->also[i];
	dst->tag = dup_or_null(src->tag);
	dst->setting_var = dup_or_null(src->setting_var);
	dst->setting_value = dup_or_null(src->setting_value);
	dst->advice = dup_or_null(src->advice);
	dst->reason = dup_or_null(src->reason);
	dst->snippet = dup_or_null(src->snippet);
}

/* How far up the ladder a scope is (a setting is its own thing). */
static int width(enum excl_scope s)
{
	return s == EXCL_SETTING ? -1 : (int)s;
}

void exclusion_merge(struct exclusion *dst, const struct exclusion *src)
{
	if (src->round < dst->round)
		dst->round = src->round;
	if (!exclusion_for(dst, src->cb)) {
		dst->also = xrealloc(dst->also, (dst->nalso + 1) * sizeof(*dst->also));
		dst->also[dst->nalso++] = src->cb;
	}
	for (size_t i = 0; i < src->nalso; i++)
		if (!exclusion_for(dst, src->also[i])) {
			dst->also = xrealloc(dst->also, (dst->nalso + 1) * sizeof(*dst->also));
			dst->also[dst->nalso++] = src->also[i];
		}
	if (width(dst->scope) < 0 || width(src->scope) < 0)
		return;
	if (dst->scope == EXCL_TARGET && src->scope == EXCL_TARGET) {
		for (size_t i = 0; i < src->ntargets; i++) {
			int known = 0;
			for (size_t k = 0; k < dst->ntargets; k++)
				known |= !strcmp(dst->targets[k], src->targets[i]);
			if (!known && exclusion_add_target(dst, src->targets[i]) < 0) {
				exclusion_widen(dst);	/* full: the rule goes */
				break;
			}
		}
		return;
	}
	if (width(src->scope) <= width(dst->scope))
		return;
	exclusion_widen(dst);
	dst->scope = src->scope;
	if (src->tag) {
		free(dst->tag);
		dst->tag = xstrdup(src->tag);
	}
}

void exclusion_file(struct strbuf *out, const struct exclusion *x, size_t n,
		    const char *version)
{
	strbuf_addf(out,
		"# Payment callback exclusions, written by modsec-callback-audit %s.\n"
		"#\n"
		"# These are runtime exclusions: load this file ONCE, BEFORE the rule sets it\n"
		"# excludes from (where CRS keeps REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf):\n"
		"#   Debian/Ubuntu Apache: security2.conf already loads /etc/modsecurity/*.conf\n"
		"#     before CRS: save this as /etc/modsecurity/klarna-exclusions.conf and add NO\n"
		"#     Include for it (a second Include loads it twice: \"Found another rule with\n"
		"#     the same id\"), or paste it into /etc/modsecurity/crs/REQUEST-900-EXCLUSION-\n"
		"#     RULES-BEFORE-CRS.conf.\n"
		"#   cPanel/WHM: paste it into /etc/apache2/conf.d/modsec/modsec2.user.conf (its\n"
		"#     phase-1 rules cover the vendor rules of phases 2-5).\n"
		"#   Other Apache: Include it above the CRS/vendor Includes, from a directory that\n"
		"#     no wildcard Include reads already.\n"
		"#   nginx: modsecurity_rules_file /etc/nginx/klarna-exclusions.conf; before the\n"
		"#     rule set's modsecurity_rules_file lines.\n"
		"# Each rule below was verified: with this file loaded before the audited rules,\n"
		"# the callback it names passed. Rules marked NOT VERIFIED did not make it pass.\n",
		version);
	for (size_t i = 0; i < n; i++) {
		strbuf_addch(out, '\n');
		if (!x[i].verified)
			strbuf_addstr(out, "# NOT VERIFIED: the callback was still blocked with this loaded.\n");
		strbuf_addstr(out, x[i].snippet);
	}
}
