/*
 * warnings: what makes an all-clear untrue. A callback that "passes" on a
 * server that does not inspect it proves nothing, so each of these is
 * reported in the summary and in JSON ("warnings": [{code, message, file,
 * line}]), never as a hint alone:
 *
 *   waf_not_enabled            nginx without `modsecurity on` for the server
 *   engine_off                 SecRuleEngine Off (or unset on ModSecurity 2)
 *   engine_detection_only      the server only logs
 *   request_body_not_inspected SecRequestBodyAccess is not On: no rule sees
 *                              the JSON or form bodies the callbacks carry
 *   no_rule_files              an IncludeOptional matched nothing, or no rule
 *                              set's rules were loaded at all
 *
 * Ownership: the audit owns its warnings (audit_release frees them).
 */
#ifndef MCA_WARNINGS_H
#define MCA_WARNINGS_H

#include "audit.h"

/* Fill a->warnings from the loaded rule set and the engine mode;
 * `server_config` is --server-config (or what --discover chose), or NULL. */
void audit_warnings(struct audit *a, const char *server_config);
/* Add one (file may be NULL). */
void audit_warn(struct audit *a, const char *code, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Does the server not protect the callbacks at all (WAF off or not enabled)? */
int audit_unprotected(const struct audit *a);

#endif
