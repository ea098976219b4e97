/*
 * ruleset_v2: reading a configuration as ModSecurity 2 (mod_security2 in
 * Apache) reads it, where that differs from libmodsecurity 3.0.9, and
 * writing the v2 meaning in a form 3.0.9 runs the same way:
 *   - SecDefaultAction's disruptive action is merged into every following
 *     rule of the unit that names none (3.0.9 applies it at run time only
 *     to rules that say `block`),
 *   - SecRuleRemoveById/UpdateTargetById/UpdateActionById act only on
 *     rules already defined (3.0.9 applies them to later ones too),
 *   - a regex PCRE refuses stops a v2 server from starting; 3.0.9 loads
 *     it as a regex that never matches.
 *
 * Invariant: under engine_v2 the text handed to libmodsecurity runs each
 * rule as mod_security2 would; every such rewrite is noted.
 */
#include "ruleset_priv.h"
#include "util/fileio.h"

#include <dlfcn.h>
#include <stdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int v2_is_disruptive(const char *name)
{
	static const char *const d[] = { "deny", "drop", "block", "pass", "allow", "redirect", "proxy", NULL };
	for (const char *const *p = d; *p; p++)
		if (!strcmp(name, *p))
			return 1;
	return 0;
}

int v2_phase_of(const struct seclang_action *a, size_t n)
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
int v2_record_default(struct reader *rd, struct origin at, const char *list)
{
	struct seclang_action *a;
	size_t n = seclang_actions(list, &a);
	struct strbuf sb = STRBUF_INIT;
	int ph = v2_phase_of(a, n), again;
	for (size_t i = 0; i < n; i++)
		if (v2_is_disruptive(a[i].name) || !strcmp(a[i].name, "status"))
			strbuf_addf(&sb, "%s%s", sb.len ? "," : "", a[i].raw);
	free(rd->defaults[ph]);
	rd->defaults[ph] = strbuf_detach(&sb, NULL);
	seclang_actions_free(a, n);
	again = (rd->default_phases >> ph) & 1;
	rd->default_phases |= 1u << ph;
	if (!again)
		return 0;
	if (rd->rs->engine_v2) {
		rs_note(rd->rs, at, "translated: a second SecDefaultAction for phase %d in one load: merged into "
			"the rules after it, as ModSecurity 2 does (libmodsecurity 3.0.9 allows one per phase)", ph);
	} else {
		rd->rs->server_fails++;
		rs_note(rd->rs, at, "SecDefaultAction for phase %d again in one load: the server would not start "
			"(libmodsecurity 3.0.9 allows one per phase per rules file); skipped here", ph);
	}
	return 1;
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

/* v2 merges the unit's SecDefaultAction disruptive action into rules that
 * name none, and resolves `block` to it. */
const char *v2_inherited(struct reader *rd, const struct seclang_action *a, size_t na)
{
	int has = 0;
	for (size_t i = 0; i < na; i++)
		if (v2_is_disruptive(a[i].name) && strcmp(a[i].name, "block"))
			has = 1;
	if (!has && rd->defaults[v2_phase_of(a, na)] && *rd->defaults[v2_phase_of(a, na)])
		return rd->defaults[v2_phase_of(a, na)];
	return NULL;
}

int v2_before_definition(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	if (d->nargs >= 1 &&
	    (!strcasecmp(d->name, "SecRuleRemoveById") || !strcasecmp(d->name, "SecRuleUpdateTargetById") ||
	     !strcasecmp(d->name, "SecRuleUpdateActionById")) &&
	    !defines_any(rd->rs, d->args[0].inner)) {
		rs_note(rd->rs, at, "%s %s: no effect in ModSecurity 2 (the rule is defined after it); left out",
			d->name, d->args[0].inner);
		return 1;
	}
	return 0;
}

/* ---- regular expressions: PCRE1 syntax PCRE2 refuses ---- */

/* Does PCRE1 (libpcre.so.3, when this machine has it) compile `rx`?
 * 1 yes, 0 no (reason in *why), -1 cannot tell. ModSecurity 2 compiles
 * with PCRE_DOTALL | PCRE_DOLLAR_ENDONLY. */
static int pcre1_compiles(const char *rx, const char **why)
{
	typedef void *(*compile_fn)(const char *, int, const char **, int *, const unsigned char *);
	static void *lib;
	static compile_fn compile;
	static int tried;
	void *re;
	int off;
	if (!tried) {
		tried = 1;
		lib = dlopen("libpcre.so.3", RTLD_NOW | RTLD_LOCAL);
		if (lib)
			*(void **)&compile = dlsym(lib, "pcre_compile");
	}
	if (!compile)
		return -1;
	re = compile(rx, 0x00000004 | 0x00000020, why, &off, NULL);
	if (!re)
		return 0;
	free(re);	/* pcre_free is free() in Debian's and upstream's builds */
	return 1;
}

/* The regexes PCRE2 has compiled in this process, as exact strings in an
 * open-addressed set: a rule file included in each of 200 vhosts (CRS in
 * a fleet's --all-hosts read) would otherwise compile each of its hundreds
 * of regexes 200 times, most of the reading's cost. Kept for the process
 * (reachable, never freed); single-threaded like the reader itself and
 * pcre1_compiles()'s state. */
static struct {
	char **v;
	size_t cap, n;
} good_rx;

static size_t rx_slot(const char *rx)
{
	size_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)rx; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (h &= good_rx.cap - 1; good_rx.v[h] && strcmp(good_rx.v[h], rx); h = (h + 1) & (good_rx.cap - 1))
		;
	return h;
}

static int rx_known_good(const char *rx)
{
	return good_rx.cap && good_rx.v[rx_slot(rx)];
}

static void rx_remember(const char *rx)
{
	if (2 * (good_rx.n + 1) > good_rx.cap) {
		char **old = good_rx.v;
		size_t oldcap = good_rx.cap;
		good_rx.cap = oldcap ? 2 * oldcap : 1024;
		good_rx.v = xcalloc(good_rx.cap, sizeof(*good_rx.v));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i])
				good_rx.v[rx_slot(old[i])] = old[i];
		free(old);
	}
	good_rx.v[rx_slot(rx)] = xstrdup(rx);
	good_rx.n++;
}

/* The PCRE2 compile error of `rx`, or NULL (message in a static buffer). */
static const char *pcre2_refuses(const char *rx, int *code, size_t *offset)
{
	static char msg[160];
	PCRE2_SIZE off;
	pcre2_code *re;
	if (rx_known_good(rx))
		return NULL;
	re = pcre2_compile((PCRE2_SPTR)rx, PCRE2_ZERO_TERMINATED, PCRE2_DOTALL, code, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		rx_remember(rx);
		return NULL;
	}
	*offset = off;
	pcre2_get_error_message(*code, (PCRE2_UCHAR *)msg, sizeof(msg));
	return msg;
}

/* `rx` as PCRE2 reads what PCRE1 meant: an unknown escape (`\i`) is the
 * letter itself, a hyphen after a class escape (`[\d-:]`) is a hyphen.
 * Returns malloc'd, or NULL when it still does not compile. Each change
 * is described in `how`. */
static char *pcre1_to_pcre2(const char *rx, struct strbuf *how)
{
	char *s = xstrdup(rx);
	for (int tries = 0; tries < 256; tries++) {
		int code;
		size_t off;
		if (!pcre2_refuses(s, &code, &off))
			return s;
		/* the offset is at the escaped letter */
		if (code == PCRE2_ERROR_UNKNOWN_ESCAPE && off >= 1 && s[off - 1] == '\\' && s[off]) {
			strbuf_addf(how, "%s\\%c -> %c", how->len ? ", " : "", s[off], s[off]);
			memmove(s + off - 1, s + off, strlen(s + off) + 1);
			continue;
		}
		/* the offset is at the hyphen (or just past the range) */
		if (code == PCRE2_ERROR_CLASS_INVALID_RANGE) {
			size_t k = off;
			while (k > 0 && s[k] != '-')
				k--;
			if (s[k] == '-' && (k == 0 || s[k - 1] != '\\')) {
				size_t len = strlen(s);
				s = xrealloc(s, len + 2);
				memmove(s + k + 1, s + k, len - k + 1);
				s[k] = '\\';
				strbuf_addf(how, "%sa hyphen after a class escape -> \\-", how->len ? ", " : "");
				continue;
			}
		}
		break;
	}
	free(s);
	return NULL;
}

/* The regex of a SecRule operator (after '!', "@rx " or none), or NULL
 * when the operator is not @rx. */
static const char *regex_of(const char *op)
{
	if (*op == '!')
		op++;
	if (*op != '@')
		return op;
	if (strncasecmp(op, "@rx ", 4) && strncasecmp(op, "@rx\t", 4))
		return NULL;
	return op + 4;
}

int v2_check_regex(struct reader *rd, struct origin at, const char *op, struct strbuf *err)
{
	struct ruleset *rs = rd->rs;
	const char *rx = regex_of(op), *bad, *why1 = NULL;
	int code;
	size_t off;
	(void)err;
	if (!rx || !(bad = pcre2_refuses(rx, &code, &off)))
		return 0;
	if (!rs->engine_v2) {
		rs_note(rs, at, "regular expression does not compile (%s): libmodsecurity 3 loads it, "
			"@rx never matches and !@rx always does", bad);
		return 0;
	}
	if (!rs->pcre)
		ruleset_default_pcre(rs);
	if (rs->pcre == 2) {
		rs->server_fails++;
		rs_note(rs, at, "the server would not start: mod_security2 built with PCRE2 refuses this "
			"regular expression (%s); audited as PCRE1 would read it", bad);
	} else if (pcre1_compiles(rx, &why1) == 0) {
		rs->server_fails++;
		rs_note(rs, at, "the server would not start: mod_security2 built with PCRE1 refuses this "
			"regular expression (%s)", why1 ? why1 : bad);
	}
	return 0;
}

/* ---- translation: ModSecurity 2 syntax 3.0.9 refuses, same meaning ---- */

/* ctl: options ModSecurity 2 has and 3.0.9 lacks that change nothing a
 * callback's verdict depends on (responses, hashing, logging). */
static const char *const ctl_response_only[] = {
	"responseBodyAccess", "responseBodyLimit", "hashEngine", "hashEnforcement", NULL
};

/* A literal for a regex: metacharacters escaped, '"' and '%' as \x22 and
 * \x25 (3.0.9's lexer stumbles on both before a closing quote). */
static void rx_literal(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n && s[i + 1] == '"')
			continue;	/* SecLang's \" is the quote itself */
		if (c == '"')
			strbuf_addstr(out, "\\x22");
		else if (c == '%')
			strbuf_addstr(out, "\\x25");
		else {
			if (strchr("\\.^$|()[]{}*+?/", c))
				strbuf_addch(out, '\\');
			strbuf_addch(out, c);
		}
	}
}

/* Operators 3.0.9's lexer misreads: an escaped quote (\") in the argument,
 * or a % just before the closing quote (read as the start of a macro; the
 * rest of the rule is lost, sometimes silently). @rx is rewritten with
 * \x22/\x25; @contains, @streq, @beginsWith, @endsWith and @pm as the
 * regex they mean. PCRE1 syntax PCRE2 refuses is rewritten too. */
static char *translate_operator(const char *op, struct strbuf *how, int quotes)
{
	const char *o = *op == '!' ? op + 1 : op, *arg, *name = "rx";
	size_t nlen = 2, alen;
	struct strbuf out = STRBUF_INIT, h = STRBUF_INIT;
	int misread, code, pct_escaped;	/* the last % is written \% */
	size_t off;

	if (*o == '@') {
		name = o + 1;
		nlen = strcspn(name, " \t");
		arg = name + nlen;
		arg += strspn(arg, " \t");
	} else {
		arg = o;
	}
	alen = strlen(arg);
	/* escaped or not: "\%" before the quote trips the lexer as "%" does
	 * (CRS 2.2.9's 970903, "\<\%"); escaped when an odd number of
	 * backslashes stands before it ("\\%" is a backslash, then %) */
	misread = (quotes && strstr(arg, "\\\"")) || (alen && arg[alen - 1] == '%');
	{
		size_t bs = 0;
		while (bs + 1 < alen && arg[alen - 2 - bs] == '\\')
			bs++;
		pct_escaped = bs % 2;
	}
	strbuf_add(&out, op, (size_t)(o - op));
	if (nlen == 2 && !strncasecmp(name, "rx", 2)) {
		char *fixed = NULL;
		if (pcre2_refuses(arg, &code, &off)) {
			fixed = pcre1_to_pcre2(arg, &h);
			if (!fixed) {
				strbuf_release(&h);
				strbuf_release(&out);
				return NULL;
			}
			strbuf_addf(how, "%sPCRE1 regex: %s", how->len ? "; " : "", h.buf);
			arg = fixed;
			alen = strlen(arg);
		}
		if (!fixed && !misread) {
			strbuf_release(&out);
			strbuf_release(&h);
			return NULL;
		}
		strbuf_addstr(&out, "@rx ");
		for (size_t i = 0; i < alen; i++) {
			if (misread && arg[i] == '\\' && i + 1 < alen && arg[i + 1] == '"') {
				strbuf_addstr(&out, "\\x22");
				i++;
			} else if (misread && pct_escaped && i + 2 == alen && arg[i + 1] == '%') {
				strbuf_addstr(&out, "\\x25");	/* \% is the literal % too */
				i++;
			} else if (misread && arg[i] == '%' && i == alen - 1) {
				strbuf_addstr(&out, "\\x25");
			} else {
				strbuf_addch(&out, arg[i]);
			}
		}
		if (misread)
			strbuf_addf(how, "%s%s -> %s (libmodsecurity 3.0.9's parser misreads \\\" and %%\" in an "
				    "operator)", how->len ? "; " : "", o, out.buf + (o - op));
		free(fixed);
		strbuf_release(&h);
		return strbuf_detach(&out, NULL);
	}
	if (!misread) {
		strbuf_release(&out);
		return NULL;
	}
	if (nlen == 8 && !strncasecmp(name, "contains", 8)) {
		strbuf_addstr(&out, "@rx ");
		rx_literal(&out, arg, alen);
	} else if (nlen == 5 && !strncasecmp(name, "streq", 5)) {
		strbuf_addstr(&out, "@rx \\A");
		rx_literal(&out, arg, alen);
		strbuf_addstr(&out, "\\z");
	} else if (nlen == 10 && !strncasecmp(name, "beginsWith", 10)) {
		strbuf_addstr(&out, "@rx \\A");
		rx_literal(&out, arg, alen);
	} else if (nlen == 8 && !strncasecmp(name, "endsWith", 8)) {
		strbuf_addstr(&out, "@rx ");
		rx_literal(&out, arg, alen);
		strbuf_addstr(&out, "\\z");
	} else if (nlen == 2 && !strncasecmp(name, "pm", 2)) {
		/* phrases separated by spaces, matched without case */
		const char *p = arg, *end = arg + alen;
		int first = 1;
		strbuf_addstr(&out, "@rx (?i)(?:");
		while (p < end) {
			size_t n;
			p += strspn(p, " ");
			n = strcspn(p, " ");
			if (!n)
				break;
			if (!first)
				strbuf_addch(&out, '|');
			rx_literal(&out, p, n);
			first = 0;
			p += n;
		}
		strbuf_addch(&out, ')');
	} else {
		strbuf_release(&out);
		return NULL;
	}
	strbuf_addf(how, "%s%s -> %s (libmodsecurity 3.0.9's parser misreads \\\" and %%\" in an operator)",
		    how->len ? "; " : "", o, out.buf + (o - op));
	return strbuf_detach(&out, NULL);
}

/* One action as 3.0.9 reads ModSecurity 2's meaning: 1 with the new text
 * in `out` (empty: left out), 0 when unchanged. */
static int translate_action(const struct seclang_action *a, struct strbuf *out, struct strbuf *how, int read)
{
	if (read && !strcmp(a->name, "noauditlog")) {
		/* ModSecurity 2 still writes the rule's match to the error log
		 * (noauditlog keeps it out of the audit log only); 3.0.9 logs
		 * nothing for it */
		strbuf_addf(how, "%snoauditlog left out (ModSecurity 2 logs the match to the error log all the "
			    "same; libmodsecurity 3.0.9 would not report it)", how->len ? "; " : "");
		return 1;
	}
	if (!strcmp(a->name, "ctl") && a->value && !strncasecmp(a->value, "forceRequestBodyVariable=", 25) &&
	    (!strcasecmp(a->value + 25, "on") || !strcasecmp(a->value + 25, "off"))) {
		/* 3.0.9 ignores it; ModSecurity 2 then keeps the body of a request
		 * no processor takes as REQUEST_BODY (ruleset_v2_reqbody.c) */
		strbuf_addf(out, "ctl:%s,setvar:tx.mca_v2_forcebody=%d", a->value,
			    !strcasecmp(a->value + 25, "on"));
		strbuf_addf(how, "%sctl:%s also sets tx.mca_v2_forcebody (ModSecurity 2 fills REQUEST_BODY "
			    "under no body processor only when it is On)", how->len ? "; " : "", a->value);
		return 1;
	}
	if (!strcmp(a->name, "setvar") && a->value && strchr(a->value, ',')) {
		/* ModSecurity 2 keeps a quoted comma in the value (Comodo's
		 * "%{ip.previous_username}, %{args.log}"); 3.0.9's scanner ends a
		 * setvar value at any comma, quoted, escaped or not. A macro
		 * can carry one: tx.mca_comma holds "," (set first thing in
		 * phase 1 by the tool's rules, V2_COMMA_TEXT), so the value
		 * is exactly ModSecurity 2's. */
		for (const char *p = a->raw; *p; p++)
			if (*p != ',')
				strbuf_addch(out, *p);
			else
				strbuf_addstr(out, V2_COMMA_MACRO);
		strbuf_addf(how, "%s%s -> %s (3.0.9 ends a setvar value at a comma; %s is one, set by the tool's "
			    "rules 99996-99997)", how->len ? "; " : "", a->raw, out->buf, V2_COMMA_MACRO);
		return 1;
	}
	if (!strcmp(a->name, "ctl") && a->value && !strncmp(a->raw, "ctl:'", 5) && !strchr(a->value, ',') &&
	    strncasecmp(a->value, "ruleRemoveByMsg=", 16)) {	/* that one: v2_translate_rs() */
		/* ctl:'ruleRemoveTargetById=...': 3.0.9 takes ctl: values unquoted */
		int kept = 1;
		for (const char *const *c = ctl_response_only; *c; c++)
			if (!strncasecmp(a->value, *c, strlen(*c)) && a->value[strlen(*c)] == '=')
				kept = 0;
		if (kept) {
			strbuf_addf(out, "ctl:%s", a->value);
			strbuf_addf(how, "%s%s -> %s", how->len ? "; " : "", a->raw, out->buf);
			return 1;
		}
	}
	if (!strcmp(a->name, "ctl") && a->value) {
		for (const char *const *c = ctl_response_only; *c; c++) {
			size_t l = strlen(*c);
			if (!strncasecmp(a->value, *c, l) && a->value[l] == '=') {
				strbuf_addf(how, "%sctl:%s left out (libmodsecurity 3.0.9 has no such ctl; it does "
					    "not change how a request is judged)", how->len ? "; " : "", a->value);
				return 1;
			}
		}
	}
	return 0;
}

/* ModSecurity 1's HTTP_<header> variables, which ModSecurity 2 still
 * reads as REQUEST_HEADERS:<header>; NULL when there are none. */
static char *translate_vars(const char *vars, struct strbuf *how)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = vars;
	int changed = 0;
	while (*p) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p), pre = strspn(p, "!&");
		if (n > pre + 5 && !strncmp(p + pre, "HTTP_", 5) && p[pre + 5] != '|') {
			strbuf_add(&out, p, pre);
			strbuf_addstr(&out, "REQUEST_HEADERS:");
			strbuf_add(&out, p + pre + 5, n - pre - 5);
			strbuf_addf(how, "%s%.*s -> REQUEST_HEADERS:%.*s", how->len ? "; " : "", (int)(n - pre), p + pre,
				    (int)(n - pre - 5), p + pre + 5);
			changed = 1;
		} else {
			strbuf_add(&out, p, n);
		}
		p += n;
		if (*p == '|')
			strbuf_addch(&out, *p++);
	}
	if (!changed) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

char *v2_translate(const char *line, struct strbuf *how)
{
	return v2_translate_as(line, how, V2_QUOTES);
}

/* `arg` as Apache's ap_getword_conf hands it to ModSecurity 2: "\\\\"
 * is one backslash (a quote escaped with a backslash keeps its backslash
 * here: 3.0.9 reads \" in an operator as the quote, as PCRE does).
 * Malloc'd, or NULL when nothing changes or the result would end in a
 * backslash (3.0.9 would take it with the closing quote). */
static char *apache_unescaped(const char *arg)
{
	struct strbuf out = STRBUF_INIT;
	if (!strstr(arg, "\\\\"))
		return NULL;
	for (const char *p = arg; *p; p++) {
		if (p[0] == '\\' && p[1] == '\\')
			p++;
		else if (p[0] == '\\' && p[1])
			strbuf_addch(&out, *p++);	/* \" and other pairs stay */
		strbuf_addch(&out, *p);
	}
	if (out.len && out.buf[out.len - 1] == '\\') {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

char *v2_translate_as(const char *line, struct strbuf *how, unsigned what)
{
	struct seclang_directive d;
	struct strbuf out = STRBUF_INIT, acts = STRBUF_INIT, one = STRBUF_INIT;
	char *newop = NULL, *newvars = NULL;
	int is_rule, changed = 0;
	size_t nfixed;

	seclang_split(line, &d);
	if (!d.name)
		return NULL;
	is_rule = !strcasecmp(d.name, "SecRule");
	nfixed = is_rule ? 2 : 0;
	if ((!is_rule && strcasecmp(d.name, "SecAction")) || d.nargs < nfixed || d.nargs > nfixed + 1)
		goto out;
	if (is_rule) {
		char *collapsed = (what & V2_BACKSLASHES) ? apache_unescaped(d.args[1].inner) : NULL;
		newvars = d.args[0].quoted ? NULL : translate_vars(d.args[0].inner, how);
		if (collapsed)
			strbuf_addf(how, "%sModSecurity 2 reads \\\\ in the operator as one backslash (Apache's "
				    "configuration parser unescapes it; libmodsecurity 3.0.9 keeps both)", how->len ? "; " : "");
		newop = translate_operator(collapsed ? collapsed : d.args[1].inner, how, (what & V2_QUOTES) != 0);
		if (collapsed && !newop)
			newop = collapsed;
		else
			free(collapsed);
	}
	if (d.nargs == nfixed + 1) {
		struct seclang_action *a;
		size_t na = seclang_actions(d.args[nfixed].inner, &a);
		for (size_t i = 0; i < na; i++) {
			strbuf_reset(&one);
			if (translate_action(&a[i], &one, how, (what & V2_READ) != 0)) {
				changed = 1;
				if (!one.len)
					continue;
				strbuf_addf(&acts, "%s%s", acts.len ? "," : "", one.buf);
			} else {
				strbuf_addf(&acts, "%s%s", acts.len ? "," : "", a[i].raw);
			}
		}
		seclang_actions_free(a, na);
		/* Apache hands ModSecurity 2 an unquoted list as one argument;
		 * 3.0.9's parser reads only a quoted one ("syntax error") */
		if (!d.args[nfixed].quoted && !strpbrk(d.args[nfixed].raw, "\"")) {
			strbuf_addf(how, "%san action list without quotes, quoted (libmodsecurity 3.0.9 reads only "
				    "quoted ones)", how->len ? "; " : "");
			changed = 1;
		}
	}
	if (!newop && !newvars && !changed)
		goto out;
	strbuf_addstr(&out, d.name);
	if (is_rule)
		strbuf_addf(&out, " %s %s%s%s", newvars ? newvars : d.args[0].raw, newop ? "\"" : "",
			    newop ? newop : d.args[1].raw, newop ? "\"" : "");
	if (d.nargs == nfixed + 1) {
		if (changed)
			strbuf_addf(&out, " \"%s\"", acts.buf);
		else
			strbuf_addf(&out, " %s", d.args[nfixed].raw);
	}
out:
	free(newop);
	free(newvars);
	strbuf_release(&acts);
	strbuf_release(&one);
	seclang_directive_release(&d);
	if (!out.len) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

/* ---- the server's regex library ---- */

static int module_pcre(const char *path)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	int r = 0;
	if (read_file(path, &text, &why) == 0) {
		if (memmem(text.buf, text.len, "libpcre2-8.so", 13))
			r = 2;
		else if (memmem(text.buf, text.len, "libpcre.so", 10))
			r = 1;
	}
	strbuf_release(&text);
	strbuf_release(&why);
	return r;
}

const char *ruleset_default_pcre(struct ruleset *rs)
{
	static const char *const modules[] = {
		"/usr/lib/apache2/modules/mod_security2.so",	/* Debian, Ubuntu */
		"/usr/lib64/httpd/modules/mod_security2.so",	/* RHEL */
		"/etc/apache2/modules/mod_security2.so",	/* cPanel EA4 */
		"/usr/local/apache/modules/mod_security2.so",	/* cPanel EA3, source builds */
		NULL
	};
	static char said[300];
	if (rs->pcre)
		return "--pcre";
	if (!rs->engine_v2) {
		rs->pcre = 2;
		return "libmodsecurity 3.0.9 uses PCRE2";
	}
	for (const char *const *m = modules; *m; m++) {
		char *path = read_rooted(rs, *m);
		int p = module_pcre(path);
		free(path);
		if (p) {
			rs->pcre = p;
			snprintf(said, sizeof(said), "%s links PCRE%d", *m, p);
			return said;
		}
	}
	rs->pcre = 1;
	return "no mod_security2.so found: PCRE1, as most ModSecurity 2 builds";
}

/* ---- ctl:ruleRemoveByMsg, which 3.0.9 lacks ---- */

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* "ctl:ruleRemoveById=A,ctl:ruleRemoveById=B-C" (each id or range after
 * `each`, separated by `sep`) for the loaded rules whose msg (`tag`: one of
 * whose tags) matches `rx`, as ModSecurity 2 2.9.7 matches it (re.c,
 * msre_ruleset_rule_matches_exception: the regex, unanchored and
 * case-sensitive, on the msg as written, macros unexpanded). A range
 * stands only for ids that all match (no other loaded id between).
 * Returns the number of rules; -1 when the regex does not compile. */
static int remove_by(const struct ruleset *rs, const char *rx, int tag, const char *sep, const char *each,
		     struct strbuf *out)
{
	int code, n = 0;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)rx, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	pcre2_match_data *md;
	long *all, *hit;
	size_t nall = 0, nhit = 0;
	if (!re)
		return -1;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	all = xmalloc((rs->nrules + 1) * sizeof(long));
	hit = xmalloc((rs->nrules + 1) * sizeof(long));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct ruleinfo *r = &rs->rules[i];
		if (r->id <= 0 || rs->units[r->unit].inactive)
			continue;
		all[nall++] = r->id;
		if (!tag && r->msg && *r->msg &&
		    pcre2_match(re, (PCRE2_SPTR)r->msg, strlen(r->msg), 0, 0, md, NULL) >= 0)
			hit[nhit++] = r->id;
		for (size_t t = 0; tag && t < r->ntags; t++)
			if (pcre2_match(re, (PCRE2_SPTR)r->tags[t], strlen(r->tags[t]), 0, 0, md, NULL) >= 0) {
				hit[nhit++] = r->id;
				break;
			}
	}
	qsort(all, nall, sizeof(long), cmp_long);
	qsort(hit, nhit, sizeof(long), cmp_long);
	for (size_t h = 0, a = 0; h < nhit;) {
		size_t e = h;
		while (a < nall && all[a] < hit[h])
			a++;
		/* extend while the next loaded id is the next hit */
		while (e + 1 < nhit && a + (e - h) + 1 < nall && all[a + (e - h) + 1] == hit[e + 1])
			e++;
		if (e > h)
			strbuf_addf(out, "%s%s%ld-%ld", out->len ? sep : "", each, hit[h], hit[e]);
		else
			strbuf_addf(out, "%s%s%ld", out->len ? sep : "", each, hit[h]);
		n += (int)(e - h + 1);
		h = e + 1;
	}
	free(all);
	free(hit);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return n;
}

char *v2_translate_rs(const struct ruleset *rs, const char *line, struct strbuf *how)
{
	char *t = v2_translate(line, how), *cur = t ? t : xstrdup(line);
	struct seclang_directive d;
	int changed = t != NULL;
	size_t nfixed;

	if (strcasestr(cur, "ruleRemoveByMsg"))
		seclang_split(cur, &d);
	else
		memset(&d, 0, sizeof(d));
	if (!d.name) {	/* no ruleRemoveByMsg to resolve */
		if (!changed)
			free(cur);
		return changed ? cur : NULL;
	}
	nfixed = !strcasecmp(d.name, "SecRule") ? 2 : 0;
	if (d.nargs == nfixed + 1) {
		struct seclang_action *a;
		size_t na = seclang_actions(d.args[nfixed].inner, &a);
		for (size_t i = 0; i < na; i++) {
			struct strbuf ids = STRBUF_INIT, nl = STRBUF_INIT;
			char *at;
			int n;
			if (strcmp(a[i].name, "ctl") || !a[i].value || strncasecmp(a[i].value, "ruleRemoveByMsg=", 16))
				continue;
			n = remove_by(rs, a[i].value + 16, 0, ",", "ctl:ruleRemoveById=", &ids);
			at = strstr(cur, a[i].raw);
			if (n < 0 || !at) {
				strbuf_release(&ids);
				continue;
			}
			if (n > 0) {
				strbuf_add(&nl, cur, (size_t)(at - cur));
				strbuf_addstr(&nl, ids.buf);
				strbuf_addstr(&nl, at + strlen(a[i].raw));
				strbuf_addf(how, "%s%s -> %s (the ids of the %d rule%s whose msg matches, as ModSecurity 2 "
					    "matches it; libmodsecurity 3.0.9 has no ruleRemoveByMsg)", how->len ? "; " : "",
					    a[i].raw, ids.buf, n, n == 1 ? "" : "s");
			} else {
				/* no rule's msg matches: ModSecurity 2 removes nothing */
				size_t rl = strlen(a[i].raw);
				if (at > cur && at[-1] == ',') {
					strbuf_add(&nl, cur, (size_t)(at - cur - 1));
					strbuf_addstr(&nl, at + rl);
				} else {
					strbuf_add(&nl, cur, (size_t)(at - cur));
					strbuf_addstr(&nl, at + rl + (at[rl] == ',' ? 1 : 0));
				}
				strbuf_addf(how, "%s%s left out (no loaded rule's msg matches it: ModSecurity 2 removes "
					    "nothing)", how->len ? "; " : "", a[i].raw);
			}
			free(cur);
			cur = strbuf_detach(&nl, NULL);
			changed = 1;
			strbuf_release(&ids);
		}
		seclang_actions_free(a, na);
	}
	seclang_directive_release(&d);
	if (!changed) {
		free(cur);
		return NULL;
	}
	return cur;
}

/* ---- ^ and $ ---- */

/* ModSecurity 2 compiles @rx with PCRE_DOTALL|PCRE_DOLLAR_ENDONLY
 * (re_operators.c), libmodsecurity 3.0.9 with DOTALL|MULTILINE
 * (utils/regex.cc): there ^ and $ also match at every line break, so a
 * multi-line value (a JSON html_snippet) matches patterns it does not
 * match in ModSecurity 2 (CRS 942110's [\"'`]+\s*$). Written for 3.0.9:
 * (?-m) first, and each $ as \z (end of subject only). NULL when the
 * pattern has neither outside a class, or sets its own flags. */
static char *anchor_regex(const char *rx)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = rx, *start;
	int has = 0;
	if (strstr(rx, "(?"))
		for (const char *q = strstr(rx, "(?"); q; q = strstr(q + 2, "(?")) {
			size_t n = strspn(q + 2, "imsxJUn-^");
			if (n && memchr(q + 2, 'm', n))
				return NULL;	/* its own multi-line flag */
		}
	/* leading (*UTF8), (*UCP), ...: they must stay first */
	while (p[0] == '(' && p[1] == '*') {
		const char *e = strchr(p, ')');
		if (!e)
			return NULL;
		p = e + 1;
	}
	strbuf_add(&out, rx, (size_t)(p - rx));
	strbuf_addstr(&out, "(?-m)");
	start = p;
	while (*p) {
		if (p[0] == '\\' && p[1] == 'Q') {
			const char *e = strstr(p + 2, "\\E");
			size_t n = e ? (size_t)(e + 2 - p) : strlen(p);
			strbuf_add(&out, p, n);
			p += n;
		} else if (p[0] == '\\') {
			strbuf_add(&out, p, p[1] ? 2 : 1);
			p += p[1] ? 2 : 1;
		} else if (p[0] == '[') {
			/* a class: ] first (or after ^) is a member; [:name:] inside */
			const char *q = p + 1;
			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']') {
				if (q[0] == '\\' && q[1])
					q += 2;
				else if (q[0] == '[' && q[1] == ':' && strstr(q + 2, ":]"))
					q = strstr(q + 2, ":]") + 2;
				else
					q++;
			}
			if (*q)
				q++;
			strbuf_add(&out, p, (size_t)(q - p));
			p = q;
		} else if (p[0] == '$') {
			strbuf_addstr(&out, "\\z");
			has = 1;
			p++;
		} else {
			has |= p[0] == '^';
			strbuf_addch(&out, *p++);
		}
	}
	(void)start;
	if (!has) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

/* Apache reads a directive's arguments with ap_getword_conf(), whose
 * substring_conf() turns \\ into \ (and \" into "): ModSecurity 2's
 * operator "@rx 1\\\\9" is the regex 1\\9, one literal backslash (CRS
 * 920460). libmodsecurity 3.0.9 keeps both backslashes. NULL when the
 * operator has no \\ (or has \", which 3.0.9 reads itself). */
static char *apache_unescape(const char *op)
{
	struct strbuf out = STRBUF_INIT;
	if (!strstr(op, "\\\\") || strstr(op, "\\\""))
		return NULL;
	for (const char *p = op; *p; p++) {
		if (p[0] == '\\' && p[1] == '\\')
			p++;
		strbuf_addch(&out, *p);
	}
	return strbuf_detach(&out, NULL);
}

/* "[!]@contains x" (@streq, @beginsWith, @endsWith) as the @rx it means,
 * with exact anchors; NULL for any other operator. */
static char *literal_as_rx(const char *op)
{
	static const struct { const char *name, *pre, *post; } lit[] = {
		{ "@contains ", "", "" }, { "@streq ", "\\A", "\\z" },
		{ "@beginsWith ", "\\A", "" }, { "@endsWith ", "", "\\z" },
	};
	const char *o = *op == '!' ? op + 1 : op;
	for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++) {
		size_t l = strlen(lit[i].name);
		if (!strncasecmp(o, lit[i].name, l)) {
			struct strbuf out = STRBUF_INIT;
			strbuf_add(&out, op, (size_t)(o - op));
			strbuf_addf(&out, "@rx %s", lit[i].pre);
			rx_literal(&out, o + l, strlen(o + l));
			strbuf_addstr(&out, lit[i].post);
			return strbuf_detach(&out, NULL);
		}
	}
	return NULL;
}

/* mod_security2's configure default for both limits (MODSEC_PCRE_MATCH_LIMIT*) */
#define V2_PCRE_DEFAULT_LIMIT 1500UL

int v2_pcre_limit_directive(struct ruleset *rs, const struct seclang_directive *d)
{
	int depth;
	char *end;
	unsigned long v;
	if (!strcasecmp(d->name, "SecPcreMatchLimit"))
		depth = 0;
	else if (!strcasecmp(d->name, "SecPcreMatchLimitRecursion"))
		depth = 1;
	else
		return 0;
	if (d->nargs != 1)
		return 0;
	v = strtoul(d->args[0].inner, &end, 10);
	if (*end || !v)
		return 0;	/* Apache refuses it: ruleset_fit says so */
	if (depth)
		rs->v2_pcre_depth = v;
	else
		rs->v2_pcre_limit = v;
	return 1;
}

char *v2_anchor_line(const char *line, unsigned *what, unsigned long limit, unsigned long depth)
{
	struct seclang_directive d;
	struct strbuf out = STRBUF_INIT;
	const char *op, *rx;
	char *nrx, *unesc;
	*what = 0;
	seclang_split(line, &d);
	if (!d.name)
		return NULL;
	if (strcasecmp(d.name, "SecRule") || d.nargs < 2 || d.nargs > 3) {
		seclang_directive_release(&d);
		return NULL;
	}
	/* v2_translate_as (V2_BACKSLASHES) collapsed \\ already, except in
	 * an operator that would then end in a backslash (which would escape
	 * the closing quote): a literal operator becomes the regex it means */
	unesc = apache_unescape(d.args[1].inner);
	if (unesc && unesc[0] && unesc[strlen(unesc) - 1] == '\\') {
		char *lit = literal_as_rx(unesc);
		free(unesc);
		unesc = lit;
	} else {
		free(unesc);
		unesc = NULL;
	}
	if (unesc)
		*what |= V2_LINE_UNESCAPED;
	op = unesc ? unesc : d.args[1].inner;
	rx = *op == '!' ? op + 1 : op;
	if (!strncasecmp(rx, "@rx ", 4))
		rx += 4 + strspn(rx + 4, " \t");
	else if (*rx == '@')
		rx = NULL;
	nrx = rx ? anchor_regex(rx) : NULL;
	if (nrx)
		*what |= V2_LINE_ANCHORED;
	if (rx && *rx) {
		/* mod_security2 sets the limits in the match context; PCRE2
		 * takes them from the pattern's start too (a lower limit wins),
		 * and counts them the same way: the same library and JIT */
		*what |= V2_LINE_LIMITED;
	}
	if (nrx || unesc || (*what & V2_LINE_LIMITED)) {
		if (rx && *rx)
			strbuf_addf(&out, "%s %s \"%.*s(*LIMIT_MATCH=%lu)(*LIMIT_DEPTH=%lu)%s\"", d.name,
				    d.args[0].raw, (int)(rx - op), op, limit ? limit : V2_PCRE_DEFAULT_LIMIT,
				    depth ? depth : V2_PCRE_DEFAULT_LIMIT, nrx ? nrx : rx);
		else
			strbuf_addf(&out, "%s %s \"%s\"", d.name, d.args[0].raw, op);
		if (d.nargs == 3)
			strbuf_addf(&out, " %s", d.args[2].raw);
	}
	free(nrx);
	free(unesc);
	seclang_directive_release(&d);
	if (!out.len) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

int v2_remove_by_directive(struct reader *rd, struct origin at, struct seclang_directive *d)
{
	struct strbuf ids = STRBUF_INIT, line = STRBUF_INIT;
	int tag, n;
	if (d->nargs != 1)
		return 0;
	if (!strcasecmp(d->name, "SecRuleRemoveByMsg"))
		tag = 0;
	else if (!strcasecmp(d->name, "SecRuleRemoveByTag"))
		tag = 1;
	else
		return 0;
	read_flush_chain(rd);
	rd->in_chain = 0;
	/* the rules read so far: a v2 exception acts on the rules before it */
	n = remove_by(rd->rs, d->args[0].inner, tag, " ", "", &ids);
	if (n < 0) {
		strbuf_release(&ids);
		return 0;	/* a regex PCRE2 refuses: as written */
	}
	if (n == 0) {
		rs_note(rd->rs, at, "%s %s: no rule defined before it has a %s it matches (ModSecurity 2 removes "
			"nothing); left out", d->name, d->args[0].raw, tag ? "tag" : "msg");
	} else {
		strbuf_addf(&line, "SecRuleRemoveById %s", ids.buf);
		rs_note(rd->rs, at, "translated: %s %s -> %s (the %d rule%s defined before it whose %s the regex "
			"matches, as ModSecurity 2 matches it; libmodsecurity 3.0.9 compares the whole %s)",
			d->name, d->args[0].raw, line.buf, n, n == 1 ? "" : "s", tag ? "tag" : "msg", tag ? "tag" : "msg");
		read_emit(rd, line.buf, at);
	}
	strbuf_release(&ids);
	strbuf_release(&line);
	return 1;
}
