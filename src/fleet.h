/*
 * fleet: every host of a server in one run (--all-hosts).
 *
 *   server configuration -> hosts: every Apache <VirtualHost> (ServerName,
 *     aliases, DocumentRoot) or nginx server {} (server_name, root); a name
 *     served twice (the :80 and :443 vhosts of one site) is audited once,
 *     as the first one, which is what the server answers with
 *   per host: its rules read as the audit reads them for --host NAME
 *     (its vhost's engine, locations and exclusions; other vhosts left out)
 *   hosts whose rules (every active load unit's text and scope, in order),
 *     engine mode and callbacks (the shop's plugins') are identical share
 *     one audit: the first such host's; the others name it in
 *     `shared_with` and keep their own name, aliases, root and plugins.
 *     The keys come from one read of the whole configuration (no
 *     libmodsecurity call); each distinct audit reads only its own vhost
 *     or server {} (vhost_only), so 200 vhosts over two rule sets cost two
 *     audits plus that one read (make bench: tests/bench/fleet.sh).
 *
 * The hosts are a loop around the audit (audit.h), not another audit.
 * A fleet owns its hosts and its distinct audits (fleet_release).
 */
#ifndef MCA_FLEET_H
#define MCA_FLEET_H

#include "audit.h"
#include "report.h"

struct fleet {
	struct host_result *hosts;
	size_t nhosts;
	struct audit **audits;		/* the distinct audits, owned */
	size_t naudits, aaudits;
	char **skipped;			/* vhosts not audited: "<VirtualHost> at f:l: no ServerName" */
	size_t nskipped, askipped;
};

/* Audit every host of o->server_config (o->params.host is ignored).
 * Returns 0, or -1 with file:line in `err` when the configuration itself
 * does not read (exit status 2). A host whose rules do not load is kept
 * with its error (its audit NULL). */
int fleet_run(const struct audit_opts *o, struct fleet *f, struct strbuf *err);
void fleet_release(struct fleet *f);

/* --host NAME with a server configuration: the document root (NULL when
 * the config sets none) and the place ("<VirtualHost *:80> at f:l") of
 * the vhost or server {} the server answers NAME with, as fleet_run reads
 * them for its hosts. -1 with file:line in `err` when the configuration
 * does not read. */
int fleet_host_docroot(const struct audit_opts *o, const char *host, char **docroot, char **where,
		       struct strbuf *err);

/* Whether the shop's plugins choose the callbacks: not when the user did
 * (--callback, --provider, --kco-version). */
int fleet_detects(const struct audit_opts *o);

/* --host NAME with a server configuration: what fleet_run does for each
 * of its hosts, for the one audit. Fills h->docroot, h->where and
 * h->plugins (owned by the caller) and the callbacks the shop's plugins
 * send in *names (malloc'd; they point into *cat, which the caller
 * releases after the audit). Returns 1: *names is the selection; 0: the
 * document root is unset or unreadable (h->plugins says so): audit every
 * callback; -1: no payment plugin in it, nothing to audit; -2: the
 * configuration does not read (`err`). */
int fleet_one_host(const struct audit_opts *o, struct host_result *h, struct catalog *cat, const char ***names,
		   size_t *n, struct strbuf *err);

/* A host with nothing to audit (no payment plugin), as the single-host
 * text and JSON reports say it (report_fleet.c). */
void report_unaudited_text(const struct host_result *h, struct strbuf *out);
void report_unaudited_json(const struct host_result *h, const struct report_opts *o, struct strbuf *out);

/* The worst exit status over the hosts (0, 1, 2). */
int fleet_status(const struct fleet *f);

/* The fleet's text (a host x callback table, then the summary) and JSON
 * ({"hosts": [...], "summary"}) reports (report_fleet.c). */
void report_fleet_text(const struct fleet *f, const struct report_opts *o, struct strbuf *out);
void report_fleet_json(const struct fleet *f, const struct report_opts *o, struct strbuf *out);

#endif
