/*
 * dialect: the same exclusions for different places to put them.
 *
 *   runtime     SecRule ... ctl:ruleRemove* (CRS REQUEST-900 style): load
 *               before the rule sets. The one the audit verifies in full.
 *   startup     SecRuleUpdateTargetById / SecRuleRemoveById: load after the
 *               rule sets (RESPONSE-999 style), inside the path's scope
 *               (as the apache, nginx and cpanel dialects write it).
 *   apache      the runtime rules for target exclusions (mod_security2
 *               refuses SecRuleUpdateTargetById in <LocationMatch>), and
 *               <LocationMatch>/<If> blocks with SecRuleRemoveById for
 *               rule-wide ones (Apache normalises the path first).
 *   nginx       location blocks with modsecurity_rules (and the runtime
 *               rule for the /?wc-api= form, which no location matches).
 *   cpanel      the apache blocks, for modsec2.user.conf, and how to reload.
 *   cloudflare  a custom-rule expression for the Skip action.
 *   paths       the plain list of paths, for other WAFs and CDNs.
 */
#ifndef MCA_DIALECT_H
#define MCA_DIALECT_H

#include "exclusion.h"
#include "util/strbuf.h"

enum dialect { D_RUNTIME, D_STARTUP, D_APACHE, D_NGINX, D_CPANEL, D_CLOUDFLARE, D_PATHS, D_COUNT };

const char *dialect_name(enum dialect d);
/* "runtime,apache" -> bit set, and the first one named; -1 on an unknown name. */
int dialects_parse(const char *s, unsigned *set, enum dialect *first);
/* The file name suffix for --exclusions-dir ("runtime.conf"). */
const char *dialect_file(enum dialect d);

/* The whole text of one dialect for these exclusions. */
void dialect_render(enum dialect d, const struct exclusion *x, size_t n,
		    const char *version, struct strbuf *out);

#endif
