/*
 * settings: alerts that call for a setting, not an exclusion.
 *
 * CRS rules 911100 (method), 920420 (content type), 920430 (HTTP version)
 * and 920480 (charset) enforce a policy kept in tx.allowed_* variables. The
 * right fix is to allow what Klarna sends, not to remove the rule: the
 * advice names the variable and the value with Klarna's addition, and the
 * snippet sets it for the callback's path only (first thing in phase 1,
 * before CRS's REQUEST-901 fills in its defaults), so the audit can verify
 * it like any exclusion.
 */
#ifndef MCA_SETTINGS_H
#define MCA_SETTINGS_H

#include "request.h"
#include "ruleset.h"

/* For a blocking rule: the tx variable and the value that lets `req`
 * through (malloc'd), or -1 when the rule calls for no setting. */
int setting_for(const struct ruleset *rs, long rule_id, const struct request *req,
		char **var, char **value, char **advice);

#endif
