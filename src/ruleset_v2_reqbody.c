/*
 * ruleset_v2_reqbody: REQUEST_BODY as ModSecurity 2 fills it.
 *
 * libmodsecurity 3.0.9 fills REQUEST_BODY with every request body, under
 * every body processor. ModSecurity 2.9.7 (apache2/msc_reqbody.c,
 * modsecurity_request_body_end) keeps the raw body buffer, which is what
 * its REQUEST_BODY reads (re_variables.c, var_request_body_generate), only
 *   - when the URLENCODED processor ran, or
 *   - when no processor ran and ctl:forceRequestBodyVariable=On was set
 *     (CRS 3's rule 901340 sets it for bodies no processor takes);
 * under MULTIPART, XML and JSON REQUEST_BODY does not exist. A rule that
 * reads it then has one variable fewer (it is not an empty value: a
 * negated operator does not match either).
 *
 * Emulation, under engine_v2: the reader turns each
 * ctl:forceRequestBodyVariable=On/Off into a setvar of
 * tx.mca_v2_forcebody as well (ruleset_v2.c; 3.0.9 parses the ctl and
 * ignores it), and two rules loaded before the server's (so the first of
 * phase 2, after the body processor ran) remove REQUEST_BODY from every
 * rule that reads it, with ctl:ruleRemoveTargetById, when ModSecurity 2
 * would not have it. Chain links have id 0 in 3.0.9, and a
 * ruleRemoveTargetById of id 0 reaches them all. The removal lasts for
 * the transaction, as the missing buffer does in ModSecurity 2.
 *
 * Not emulated: a processor failing before the end of the body (an init or
 * chunk error) with forceRequestBodyVariable=On makes ModSecurity 2 keep
 * the body; &REQUEST_BODY counts 1 in 3.0.9 where ModSecurity 2 counts 0.
 *
 * Ids 99998-99999 are the tool's (ruleset.h).
 */
#include "ruleset_priv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Does a variable list ("ARGS|REQUEST_BODY|!REQUEST_COOKIES:/x/") read
 * REQUEST_BODY itself (not its length, not an exclusion or a count)? */
static int reads_request_body(const char *vars)
{
	const char *p = vars;
	while (*p) {
		size_t n;
		while (*p == ' ' || *p == '|' || *p == '"' || *p == '\'')
			p++;
		n = strcspn(p, "|\"' ");
		if (n == 12 && !strncasecmp(p, "REQUEST_BODY", 12))
			return 1;
		p += n;
	}
	return 0;
}

static void add_id(long **ids, size_t *n, size_t *alloc, long id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	ARRAY_PUSH(*ids, *n, *alloc);
	(*ids)[(*n)++] = id;
}

/* The ids whose rules read REQUEST_BODY (0: chain links), from the text
 * handed to libmodsecurity (one directive a line). */
static size_t body_readers(const struct ruleset *rs, long **ids)
{
	size_t n = 0, alloc = 0;
	*ids = NULL;
	for (size_t u = 0; u < rs->nunits; u++) {
		const char *line = rs->units[u].text.buf;
		int in_chain = 0;
		while (line && *line) {
			const char *nl = strchr(line, '\n');
			char *one = nl ? xstrndup(line, (size_t)(nl - line)) : xstrdup(line);
			struct seclang_directive d;
			seclang_split(one, &d);
			if (d.name) {
				if (!strcasecmp(d.name, "SecRule") && d.nargs >= 2) {
					struct seclang_action *a = NULL;
					size_t na = d.nargs >= 3 ? seclang_actions(d.args[2].inner, &a) : 0;
					const char *id = seclang_action_value(a, na, "id");
					if (reads_request_body(d.args[0].inner))
						add_id(ids, &n, &alloc, in_chain ? 0 : id ? strtol(id, NULL, 10) : 0);
					in_chain = seclang_has_action(a, na, "chain");
					seclang_actions_free(a, na);
				} else if (!strcasecmp(d.name, "SecRuleUpdateTargetById") && d.nargs >= 2 &&
					   reads_request_body(d.args[1].inner)) {
					/* "ID" or "ID1 ID2" or ranges: the ids it names */
					const char *p = d.args[0].inner;
					while (*p) {
						char *end;
						long lo = strtol(p, &end, 10), hi = lo;
						if (end == p) {
							p++;
							continue;
						}
						if (*end == '-')
							hi = strtol(end + 1, &end, 10);
						for (size_t i = 0; i < rs->nrules; i++)
							if (rs->rules[i].id >= lo && rs->rules[i].id <= hi)
								add_id(ids, &n, &alloc, rs->rules[i].id);
						p = end;
					}
				}
			}
			seclang_directive_release(&d);
			free(one);
			line = nl ? nl + 1 : NULL;
		}
	}
	return n;
}

void ruleset_v2_prelude(const struct ruleset *rs, struct strbuf *out)
{
	long *ids;
	size_t n;
	if (!rs->engine_v2)
		return;
	n = body_readers(rs, &ids);
	if (n) {
		/* "PROCESSOR/FORCE": ModSecurity 2 keeps the body for
		 * "URLENCODED/..." and "/1" (no processor, forced) */
		strbuf_addstr(out, "SecAction \"id:99998,phase:2,pass,nolog,noauditlog,t:none,"
			      "setvar:'tx.mca_v2_body=%{REQBODY_PROCESSOR}/%{tx.mca_v2_forcebody}'\"\n");
		strbuf_addstr(out, "SecRule TX:mca_v2_body \"!@rx ^(?:URLENCODED/.*|/1)$\" "
			      "\"id:99999,phase:2,pass,nolog,noauditlog,t:none");
		for (size_t i = 0; i < n; i++)
			strbuf_addf(out, ",ctl:ruleRemoveTargetById=%ld;REQUEST_BODY", ids[i]);
		strbuf_addstr(out, "\"\n");
	}
	free(ids);
}
