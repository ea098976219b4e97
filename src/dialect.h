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
 *   crs-plugin  a CRS 4 plugin directory (-config, -before, -after.conf;
 *               dialect_crs.c): --exclusions-dir writes the three files.
 *   whmapi      the cPanel WHM API calls (whmapi1 modsec_add_rule, then
 *               modsec_deploy_rule_changes) as a bash script.
 */
#ifndef MCA_DIALECT_H
#define MCA_DIALECT_H

#include "exclusion.h"
#include "util/strbuf.h"

enum dialect { D_RUNTIME, D_STARTUP, D_APACHE, D_NGINX, D_CPANEL, D_CLOUDFLARE, D_PATHS,
	       D_CRS_PLUGIN, D_WHMAPI, D_COUNT };

const char *dialect_name(enum dialect d);
/* "runtime,apache" -> bit set, and the first one named; -1 on an unknown name. */
int dialects_parse(const char *s, unsigned *set, enum dialect *first);
/* The file name suffix for --exclusions-dir ("runtime.conf"). */
const char *dialect_file(enum dialect d);

/* The whole text of one dialect for these exclusions. */
void dialect_render(enum dialect d, const struct exclusion *x, size_t n,
		    const char *version, struct strbuf *out);

/* dialect_crs.c */
#define CRS_PLUGIN_NAME "woocommerce-callbacks"
#define CRS_PLUGIN_BASE 9847000L
enum { CRS_PART_CONFIG, CRS_PART_BEFORE, CRS_PART_AFTER };
/* One file of the plugin (part), or all three one after the other (-1). */
void crs_plugin_render(const struct exclusion *x, size_t n, const char *version, int part,
		       struct strbuf *out);
void whmapi_render(const struct exclusion *x, size_t n, const char *version, struct strbuf *out);

#endif
