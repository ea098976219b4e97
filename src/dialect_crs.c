/*
 * Two more places for the exclusions (dialect.h):
 *
 *   crs-plugin  a CRS 4 plugin: <name>-config.conf, -before.conf and
 *               -after.conf for CRS's plugins/ directory, which CRS 4
 *               includes around its rules (config and before ahead of
 *               them, after behind). The runtime exclusions go into
 *               -before.conf, renumbered into the plugin's id block, with
 *               the plugin conventions: tx.<name>-plugin_enabled set in
 *               -config.conf, and a rule that removes the plugin's own
 *               rules when it is 0. Ids: CRS reserves 9,500,000-9,999,999
 *               for plugins, handed out by its plugin registry in blocks
 *               of 1,000 from 9,500,000 up (9,900,000 on is the
 *               incubator's); no WooCommerce plugin is registered, so this
 *               one takes 9,847,000-9,847,999, far above the blocks given
 *               out so far. Checked against the registry's README
 *               (github.com/coreruleset/plugin-registry, commit 5b97562 of
 *               2026-02-28): blocks in use are 9,500,000-9,528,999 (no
 *               9,515,xxx) and the incubator's 9,900,000-9,999,999, so
 *               this block is free and 318 registrations away from the
 *               next block handed out. Each exclusion keeps its path
 *               scope.
 *   whmapi      cPanel's WHM API: a bash script calling
 *               `whmapi1 modsec_add_rule config=modsec2.user.conf rule=...`
 *               per rule (a chain is one rule: its lines joined by
 *               newlines), then `whmapi1 modsec_deploy_rule_changes
 *               config=modsec2.user.conf`. Values are URI-encoded, as
 *               whmapi1's command line takes them.
 */
#include "dialect.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Copy `snippet`, every "id:N" of the exclusion's own ids replaced by
 * the next one from *next. */
static void renumber(struct strbuf *out, const struct exclusion *x, long *next)
{
	const char *p = x->snippet;
	long map[64];
	int nmap = x->nids < 64 ? x->nids : 64;
	for (int i = 0; i < nmap; i++)
		map[i] = (*next)++;
	while (*p) {
		const char *at = strstr(p, "id:");
		char *end;
		long id;
		if (!at) {
			strbuf_addstr(out, p);
			break;
		}
		strbuf_add(out, p, (size_t)(at - p) + 3);
		p = at + 3;
		if (!isdigit((unsigned char)*p))
			continue;
		id = strtol(p, &end, 10);
		if (id >= x->first_id && id < x->first_id + nmap)
			strbuf_addf(out, "%ld", map[id - x->first_id]);
		else
			strbuf_add(out, p, (size_t)(end - p));
		p = end;
	}
}

static void plugin_header(struct strbuf *out, const char *version, const char *file)
{
	strbuf_addf(out,
		"# ------------------------------------------------------------------------\n"
		"# OWASP CRS Plugin\n"
		"# Plugin name: " CRS_PLUGIN_NAME "\n"
		"# Plugin description: lets payment providers' server-to-server callbacks to a\n"
		"#   WooCommerce shop past CRS, each exclusion scoped to its callback's path.\n"
		"#   Written by modsec-callback-audit %s, verified against the audited rules.\n"
		"# Rule ID block base: 9,847,000 - 9,847,999\n"
		"# Plugin version: 1.0.0\n"
		"# File: " CRS_PLUGIN_NAME "-%s.conf\n"
		"# ------------------------------------------------------------------------\n",
		version, file);
}

void crs_plugin_render(const struct exclusion *x, size_t n, const char *version, int part,
		       struct strbuf *out)
{
	long next = CRS_PLUGIN_BASE + 100;
	if (part < 0 || part == CRS_PART_CONFIG) {
		if (part < 0)
			strbuf_addstr(out, "# ==== " CRS_PLUGIN_NAME "-config.conf ====\n");
		plugin_header(out, version, "config");
		strbuf_addstr(out,
			"# Copy the three files into CRS's plugins/ directory: CRS 4 includes\n"
			"# plugins/*-config.conf and plugins/*-before.conf before its rules and\n"
			"# plugins/*-after.conf after them. To switch the plugin off, set\n"
			"# tx." CRS_PLUGIN_NAME "-plugin_enabled=0 (e.g. in crs-setup.conf).\n\n");
		strbuf_addf(out, "SecRule &TX:" CRS_PLUGIN_NAME "-plugin_enabled \"@eq 0\" \\\n"
			    "    \"id:%ld,phase:1,pass,nolog,t:none,setvar:'tx." CRS_PLUGIN_NAME "-plugin_enabled=1'\"\n",
			    CRS_PLUGIN_BASE + 10);
	}
	if (part < 0 || part == CRS_PART_BEFORE) {
		if (part < 0)
			strbuf_addstr(out, "\n# ==== " CRS_PLUGIN_NAME "-before.conf ====\n");
		plugin_header(out, version, "before");
		strbuf_addf(out, "\n# The plugin switched off: none of its rules run.\n"
			    "SecRule TX:" CRS_PLUGIN_NAME "-plugin_enabled \"@eq 0\" \\\n"
			    "    \"id:%ld,phase:1,pass,nolog,t:none,ctl:ruleRemoveById=%ld-%ld\"\n",
			    CRS_PLUGIN_BASE + 99, CRS_PLUGIN_BASE + 100, CRS_PLUGIN_BASE + 999);
		for (size_t i = 0; i < n; i++) {
			strbuf_addch(out, '\n');
			if (!x[i].verified)
				strbuf_addstr(out, "# NOT VERIFIED: the callback was still blocked with this loaded.\n");
			renumber(out, &x[i], &next);
		}
	}
	if (part < 0 || part == CRS_PART_AFTER) {
		if (part < 0)
			strbuf_addstr(out, "\n# ==== " CRS_PLUGIN_NAME "-after.conf ====\n");
		plugin_header(out, version, "after");
		strbuf_addstr(out, "# Nothing to do after CRS: every exclusion acts at runtime, from -before.conf.\n");
	}
}

/* RFC 3986 percent-encoding of everything but unreserved characters. */
static void uri_encode(struct strbuf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || strchr("-._~", c))
			strbuf_addch(out, c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

/* Does the last link of `rule` (after its last newline) say `chain` in
 * its actions? */
static int chains(const char *rule)
{
	const char *last = strrchr(rule, '\n');
	last = last ? last + 1 : rule;
	for (const char *p = last; (p = strstr(p, "chain")); p += 5)
		if (p > last && (p[-1] == ',' || p[-1] == '"') && (p[5] == ',' || p[5] == '"'))
			return 1;
	return 0;
}

/* One rule of a snippet as one string: continuation lines joined, the
 * links of a chain separated by newlines; comments between rules
 * skipped. Returns where the next rule starts. */
static const char *next_rule(const char *p, struct strbuf *rule)
{
	strbuf_reset(rule);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p, *end = p + len;
		int cont;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		p = nl ? nl + 1 : end;
		if (q == end || *q == '#') {
			if (!rule->len)
				continue;	/* blank or comment between rules */
			break;
		}
		cont = end > q && end[-1] == '\\';
		if (rule->len && rule->buf[rule->len - 1] != '\n')
			strbuf_addch(rule, ' ');
		strbuf_add(rule, q, (size_t)(end - cont - q));
		while (rule->len && rule->buf[rule->len - 1] == ' ')
			strbuf_setlen(rule, rule->len - 1);
		if (cont)
			continue;
		if (!chains(rule->buf))
			break;
		strbuf_addch(rule, '\n');
	}
	return p;
}

void whmapi_render(const struct exclusion *x, size_t n, const char *version, struct strbuf *out)
{
	struct strbuf rule = STRBUF_INIT, all = STRBUF_INIT;
	size_t count = 0;
	strbuf_addf(out,
		"#!/bin/bash\n"
		"# Klarna callback exclusions for cPanel/WHM, written by modsec-callback-audit %s.\n"
		"# Run as root on the cPanel server: each rule is added to modsec2.user.conf through\n"
		"# WHM's API (as WHM > Security Center > ModSecurity Tools > Rules List does), then the\n"
		"# changes are deployed (WHM checks the configuration and restarts Apache). Values are\n"
		"# URI-encoded for whmapi1's command line; each rule's text is in the comment above it.\n"
		"set -euo pipefail\n"
		"command -v whmapi1 >/dev/null || { echo \"whmapi1 not found: run this on the cPanel server\" >&2; exit 1; }\n",
		version);
	for (size_t i = 0; i < n; i++) {
		const char *p = x[i].snippet;
		if (!x[i].verified)
			strbuf_addstr(&all, "\n# NOT VERIFIED: the callback was still blocked with this loaded.");
		while (*(p = next_rule(p, &rule)) || rule.len) {
			if (!rule.len)
				break;
			strbuf_addstr(&all, "\n# ");
			for (const char *c = rule.buf; *c; c++) {
				strbuf_addch(&all, *c);
				if (*c == '\n')
					strbuf_addstr(&all, "#   ");
			}
			strbuf_addstr(&all, "\nwhmapi1 modsec_add_rule config=modsec2.user.conf rule=");
			uri_encode(&all, rule.buf, rule.len);
			strbuf_addch(&all, '\n');
			count++;
			if (!*p)
				break;
		}
	}
	strbuf_addstr(out, all.buf);
	if (count)
		strbuf_addstr(out, "\nwhmapi1 modsec_deploy_rule_changes config=modsec2.user.conf\n");
	else
		strbuf_addstr(out, "# Nothing to add: no exclusion was needed.\n");
	strbuf_release(&rule);
	strbuf_release(&all);
}
