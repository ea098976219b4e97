#include "settings.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct policy {
	long rule_id;
	int slot;		/* index into ruleset.policy */
	const char *var;
	const char *crs_rule;	/* where crs-setup.conf sets it */
};

static const struct policy table[] = {
	{ 911100, 0, "tx.allowed_methods", "900200" },
	{ 920420, 1, "tx.allowed_request_content_type", "900220" },
	{ 920430, 2, "tx.allowed_http_versions", "900230" },
	{ 920480, 3, "tx.allowed_request_content_type_charset", "900270" },
};

/* What the request needs added, in the variable's own format. */
static char *addition(int slot, const struct request *req, const char *current)
{
	const char *ct = request_header(req, "Content-Type");
	char *v = NULL;
	switch (slot) {
	case 0:
		v = xstrdup(req->method);
		break;
	case 1:
		if (ct) {
			char *t = xstrndup(ct, strcspn(ct, "; \t"));
			for (char *c = t; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			v = xasprintf("|%s|", t);	/* CRS 3.3 writes |type| entries */
			free(t);
		}
		break;
	case 2:
		v = xasprintf("HTTP/%s", req->version);
		break;
	case 3:
		if (ct) {
			const char *cs = strcasestr(ct, "charset=");
			if (cs) {
				cs += 8;
				v = xstrndup(cs, strcspn(cs, "; \t\""));
				for (char *c = v; *c; c++)
					*c = (char)tolower((unsigned char)*c);
			}
		}
		break;
	}
	if (v && current && strstr(current, v)) {
		free(v);	/* already there: the setting is not what blocks */
		return NULL;
	}
	return v;
}

int setting_for(const struct ruleset *rs, long rule_id, const struct request *req,
		char **var, char **value, char **advice)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct policy *p = &table[i];
		const char *cur = rs->policy[p->slot];
		char *add;
		if (p->rule_id != rule_id || !cur)
			continue;
		add = addition(p->slot, req, cur);
		if (!add)
			return -1;
		*var = xstrdup(p->var);
		*value = xasprintf("%s%s%s", cur, p->slot == 3 ? "|" : " ", add);
		*advice = xasprintf("rule %ld enforces %s; Klarna's callback needs %s in it. "
				    "Best: add it in crs-setup.conf (rule %s); the snippet sets it for this path only",
				    rule_id, p->var, add, p->crs_rule);
		free(add);
		return 0;
	}
	return -1;
}
