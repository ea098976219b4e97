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

/* Every server {} of the configuration, for --all-hosts: its server_name
 * words (space-separated, "" when none), its root, where it starts, and
 * whether it is the default_server. Reads `path` as nginxconf_load does
 * (the rule files too, into `rs`, which the caller releases). */
struct nginx_server {
	char *names;
	char *root;		/* NULL when the server sets none */
	char *where;		/* "server {} at file:line" */
	int is_default;
	size_t first_unit, last_unit;	/* its load units in the ruleset: [first, last) */
	int on;			/* ModSecurity runs for it (`modsecurity on` in effect) */
};
/* The server nginx answers `host` with: the first naming it, else the
 * default_server, else the first (an index into `s`). */
size_t nginx_server_for(const struct nginx_server *s, size_t n, const char *host);
int nginxconf_servers(struct ruleset *rs, const char *path, struct nginx_server **out, size_t *n,
		      struct strbuf *err);
void nginx_servers_free(struct nginx_server *s, size_t n);

/* Does location `loc` (index + 1 into rs->nlocs) serve a request for
 * `path`: is it the location nginx picks (exact, longest prefix, ^~,
 * regexes in order, nested ones inside the pick), or one it is nested in?
 * One location serves a request, not every one whose pattern matches. */
int nginx_location_applies(const struct ruleset *rs, size_t loc, const char *path);

#endif
