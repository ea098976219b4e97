/*
 * nginxconf: follow an nginx configuration as ModSecurity-nginx does.
 *
 * Reads nginx.conf and its includes (globs, relative to nginx.conf's
 * directory), picks the server {} whose server_name serves --host (else the
 * default_server, else the first), and adds to the ruleset, in order, one
 * load per modsecurity_rules_file and modsecurity_rules at http, server and
 * location level (the connector merges parent and child rules; the
 * innermost `modsecurity on|off` wins). Location blocks become scoped units
 * (= exact, ^~ and plain prefixes, ~ and ~* regexes), emulated per callback;
 * `modsecurity off` in a location becomes ctl:ruleEngine=Off there.
 */
#ifndef MCA_NGINXCONF_H
#define MCA_NGINXCONF_H

#include "ruleset.h"
#include "util/strbuf.h"

/* `path` is the server's path (read under rs->root). */
int nginxconf_load(struct ruleset *rs, const char *path, const char *host, struct strbuf *err);

#endif
