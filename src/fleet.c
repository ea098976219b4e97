/* Every host of a server in one run: see fleet.h. */
#include "fleet.h"
#include "nginxconf.h"
#include "plugins.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct spec {
	char *name, *aliases, *where, *docroot;
	size_t unit;		/* Apache: its vhost unit; nginx: its server's index */
	int ordinal;		/* its place among the <VirtualHost>s / server {}s, 1-based */
};

/* Two 64-bit hashes (FNV-1a and a multiplicative one) of what decides an
 * audit's outcome: engine, mode, callbacks chosen, and every load unit
 * the host runs (text and location scope). */
struct key {
	uint64_t a, b;
};

static void mix(struct key *k, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		k->a = (k->a ^ p[i]) * 1099511628211ULL;
		k->b = k->b * 6364136223846793005ULL + p[i] + 1442695040888963407ULL;
	}
	k->a = (k->a ^ 0xff) * 1099511628211ULL;	/* field separator */
	k->b = k->b * 6364136223846793005ULL + 0x100;
}

static void mix_str(struct key *k, const char *s)
{
	mix(k, s ? s : "\1(null)", strlen(s ? s : "\1(null)"));
}

static struct key key_start(const struct audit_opts *o, const char *engine)
{
	struct key k = { 14695981039346656037ULL, 0 };
	mix_str(&k, o->engine_v2 ? "v2" : "v3");
	mix_str(&k, engine);
	mix_str(&k, o->kco_version);
	for (size_t i = 0; i < o->nnames; i++)
		mix_str(&k, o->names[i]);
	return k;
}

/* A <Location*>'s directives become SecActions with ids the reader hands
 * out in reading order (99900-99989): the same location in two vhosts
 * differs only there, so those ids do not count. */
static void key_unit(struct key *k, const struct load_unit *u)
{
	const char *p = u->text.buf, *end = p + u->text.len, *at;
	mix_str(k, u->scope);
	mix_str(k, u->engine);	/* nginx: SecRuleEngine is kept out of the text */
	mix(k, &u->scope_kind, sizeof(u->scope_kind));
	mix_str(k, u->outer ? "nested" : "");
	for (const char *q = u->pre.buf, *at; q && (at = strstr(q, "id:999")); q = at + 8)
		mix_str(k, strchr(at, ','));	/* the settings, not the ids */
	if (!u->scope) {
		mix(k, p, u->text.len);
		return;
	}
	while ((at = strstr(p, "id:999")) && at + 8 <= end) {
		mix(k, p, (size_t)(at - p) + 6);
		p = at + 8;
	}
	mix(k, p, (size_t)(end - p));
}

/* The rules the server runs for Apache vhost unit `v`: everything outside
 * vhosts, the vhost's own, its <Location*>s; its SecRuleEngine. */
static struct key apache_key(const struct audit_opts *o, const struct ruleset *rs, size_t v)
{
	struct key k = key_start(o, rs->units[v].vhost_engine ? rs->units[v].vhost_engine : rs->rule_engine);
	for (size_t u = 0; u < rs->nunits; u++)
		if ((!rs->units[u].vhost && !rs->units[u].parent) || u == v || rs->units[u].parent == v + 1)
			key_unit(&k, &rs->units[u]);
	return k;
}

/* nginx: the http-level loads, the server's own; off when it is off. */
static struct key nginx_key(const struct audit_opts *o, const struct ruleset *rs,
			    const struct nginx_server *sv, size_t nsv, size_t i)
{
	struct key k = key_start(o, sv[i].on ? rs->rule_engine : "Off");
	for (size_t u = 0; u < rs->nunits; u++) {
		int other = 0;
		for (size_t j = 0; j < nsv && !other; j++)
			other = j != i && u >= sv[j].first_unit && u < sv[j].last_unit;
		if (!other)
			key_unit(&k, &rs->units[u]);
	}
	/* when some of its locations have rules: all its locations, with rules
	 * or not, since they decide which one serves a path */
	int scoped = 0;
	for (size_t u = 0; u < rs->nunits && !scoped; u++)
		scoped = rs->units[u].scope_kind == SCOPE_NGINX && rs->units[u].nloc &&
			 rs->nlocs[rs->units[u].nloc - 1].server == (int)i + 1;
	for (size_t l = 0; scoped && l < rs->nnlocs; l++)
		if (rs->nlocs[l].server == (int)i + 1) {
			mix(&k, &rs->nlocs[l].kind, sizeof(rs->nlocs[l].kind));
			mix_str(&k, rs->nlocs[l].parent ? rs->nlocs[rs->nlocs[l].parent - 1].arg : "");
			mix_str(&k, rs->nlocs[l].arg);
		}
	return k;
}

int fleet_detects(const struct audit_opts *o)
{
	return !o->nnames && !o->kco_version && !o->providers;
}

static void skip(struct fleet *f, char *why)
{
	ARRAY_PUSH(f->skipped, f->nskipped, f->askipped);
	f->skipped[f->nskipped++] = why;
}

/* A host for a vhost/server named `names` unless the server answers its
 * first name with an earlier one (`served_by`, or NULL when it is this). */
static int spec_add(struct spec **s, size_t *n, const char *names, const char *where, const char *docroot,
		    const char *served_by, struct fleet *f)
{
	const char *sp;
	size_t len;
	while (*names == ' ')
		names++;
	if (!*names) {
		skip(f, xasprintf("%s: no ServerName/server_name, not audited", where));
		return -1;
	}
	sp = strchr(names, ' ');
	len = sp ? (size_t)(sp - names) : strlen(names);
	if (served_by) {
		skip(f, xasprintf("%s: serves %.*s too; audited as the first vhost naming it, %s (as --host does; a vhost on another port is not told apart)", where, (int)len, names,
				  served_by));
		return -1;
	}
	*s = xrealloc(*s, (*n + 1) * sizeof(**s));
	memset(&(*s)[*n], 0, sizeof(**s));
	(*s)[*n].name = xstrndup(names, len);
	(*s)[*n].aliases = xstrdup(sp ? sp + 1 : "");
	(*s)[*n].where = xstrdup(where);
	(*s)[*n].docroot = docroot ? xstrdup(docroot) : NULL;
	(*n)++;
	return 0;
}

/* One read of the whole server configuration, every vhost kept (no
 * libmodsecurity call): nginx's servers in *sv, Apache's vhosts as units. */
static int read_server(const struct audit_opts *o, struct ruleset *rs, struct nginx_server **sv, size_t *nsv,
		       struct strbuf *err)
{
	int ret;
	*sv = NULL;
	*nsv = 0;
	ruleset_init(rs);
	rs->engine_v2 = o->engine_v2;
	rs->root = o->root ? xstrdup(o->root) : NULL;
	if (server_is_nginx(o->server_config)) {
		ret = nginxconf_servers(rs, o->server_config, sv, nsv, err);
	} else {
		char *cfg = o->root ? xasprintf("%s%s", o->root, o->server_config) : xstrdup(o->server_config);
		char *dir = xstrdup(o->server_config), *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		rs->apache = 1;
		rs->server_root = dir;
		ret = ruleset_add_file(rs, cfg, err);
		free(cfg);
	}
	return ret;
}

/* The Apache vhost unit the server answers `host` with: the first naming
 * it, else the first vhost (SIZE_MAX: none). */
static size_t apache_vhost_for(const struct ruleset *rs, size_t upto, const char *host)
{
	size_t first = SIZE_MAX;
	for (size_t v = 0; v < upto; v++) {
		if (!rs->units[v].vhost)
			continue;
		if (ruleset_vhost_serves(rs->units[v].vhost, host))
			return v;
		if (first == SIZE_MAX)
			first = v;
	}
	return first;
}

/* The hosts the configuration serves, in its order, each with the key of
 * the rules it runs: one read of the whole configuration. */
static int list_hosts(const struct audit_opts *o, struct fleet *f, struct spec **out, struct key **keys,
		      size_t *n, struct strbuf *err)
{
	struct ruleset rs;
	struct nginx_server *sv;
	size_t nsv;
	int ret, ordinal = 0;
	*out = NULL;
	*keys = NULL;
	*n = 0;
	ret = read_server(o, &rs, &sv, &nsv, err);
	for (size_t i = 0; !ret && i < nsv; i++) {
		char first[256];
		size_t chosen;
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(sv[i].names, " "), sv[i].names);
		chosen = nginx_server_for(sv, nsv, first);
		if (spec_add(out, n, sv[i].names, sv[i].where, sv[i].root,
			     chosen != i ? sv[chosen].where : NULL, f) < 0)
			continue;
		*keys = xrealloc(*keys, *n * sizeof(**keys));
		(*keys)[*n - 1] = nginx_key(o, &rs, sv, nsv, i);
		(*out)[*n - 1].unit = i;
		(*out)[*n - 1].ordinal = (int)i + 1;
	}
	for (size_t u = 0; !ret && !server_is_nginx(o->server_config) && u < rs.nunits; u++) {
		char first[256];
		size_t chosen;
		if (!rs.units[u].vhost)
			continue;
		ordinal++;
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(rs.units[u].vhost, " "), rs.units[u].vhost);
		chosen = apache_vhost_for(&rs, u, first);
		if (chosen != SIZE_MAX && !ruleset_vhost_serves(rs.units[chosen].vhost, first))
			chosen = SIZE_MAX;	/* only a vhost naming it answers for it */
		if (spec_add(out, n, rs.units[u].vhost, rs.units[u].name, rs.units[u].docroot,
			     chosen != SIZE_MAX ? rs.units[chosen].name : NULL, f) < 0)
			continue;
		*keys = xrealloc(*keys, *n * sizeof(**keys));
		(*keys)[*n - 1] = apache_key(o, &rs, u);
		(*out)[*n - 1].unit = u;
		(*out)[*n - 1].ordinal = ordinal;
	}
	nginx_servers_free(sv, nsv);
	ruleset_release(&rs);
	if (!ret && !*n) {
		strbuf_addf(err, "%s: --all-hosts: no <VirtualHost> or server {} with a name", o->server_config);
		ret = -1;
	}
	return ret;
}

int fleet_host_docroot(const struct audit_opts *o, const char *host, char **docroot, char **where,
		       struct strbuf *err)
{
	struct ruleset rs;
	struct nginx_server *sv;
	size_t nsv;
	int ret = read_server(o, &rs, &sv, &nsv, err);
	*docroot = *where = NULL;
	if (!ret && server_is_nginx(o->server_config)) {
		size_t i = nsv ? nginx_server_for(sv, nsv, host) : 0;
		*docroot = nsv && sv[i].root ? xstrdup(sv[i].root) : NULL;
		*where = nsv ? xstrdup(sv[i].where) : NULL;
	} else if (!ret) {
		size_t v = apache_vhost_for(&rs, rs.nunits, host);
		if (v != SIZE_MAX) {
			*docroot = rs.units[v].docroot ? xstrdup(rs.units[v].docroot) : NULL;
			*where = xstrdup(rs.units[v].name);
		}
	}
	nginx_servers_free(sv, nsv);
	ruleset_release(&rs);
	return ret;
}

/* What the host's shop runs (plugins.h): the callbacks its payment
 * plugins send become its selection, and part of its key. -1 when its
 * document root is readable and holds no payment plugin (nothing to
 * audit); an unreadable or unset one falls back to every callback. */
static int detect_plugins(const struct audit_opts *o, const struct catalog *cat, struct host_result *h,
			  const char ***names, size_t *n, struct key *k)
{
	int readable = plugins_for_host(o->root, h->docroot, cat, 0, &h->plugins, names, n);
	mix_str(k, readable ? "detected" : "all");
	for (size_t i = 0; i < *n; i++)
		mix_str(k, (*names)[i]);
	return readable && !*n ? -1 : 0;
}

int fleet_one_host(const struct audit_opts *o, struct host_result *h, struct catalog *cat, const char ***names,
		   size_t *n, struct strbuf *err)
{
	struct strbuf cerr = STRBUF_INIT;
	int readable;
	*names = NULL;
	*n = 0;
	memset(cat, 0, sizeof(*cat));
	if (fleet_host_docroot(o, o->params.host, &h->docroot, &h->where, err) < 0)
		return -2;
	if (catalog_load(cat, o->catalogue, &cerr) < 0) {
		strbuf_release(&cerr);	/* the audit reports the catalogue's error */
		return 0;
	}
	strbuf_release(&cerr);
	readable = plugins_for_host(o->root, h->docroot, cat, 1, &h->plugins, names, n);
	return !readable ? 0 : *n ? 1 : -1;
}

int fleet_run(const struct audit_opts *o, struct fleet *f, struct strbuf *err)
{
	struct spec *sp;
	struct key *keys;
	size_t nsp, *nnames;
	const char ***names;
	struct catalog cat;
	struct strbuf cerr = STRBUF_INIT;
	int detect;

	memset(f, 0, sizeof(*f));
	if (list_hosts(o, f, &sp, &keys, &nsp, err) < 0) {
		for (size_t i = 0; i < nsp; i++) {
			free(sp[i].name);
			free(sp[i].aliases);
			free(sp[i].where);
			free(sp[i].docroot);
		}
		free(sp);
		free(keys);
		return -1;
	}
	f->hosts = xcalloc(nsp ? nsp : 1, sizeof(*f->hosts));
	names = xcalloc(nsp ? nsp : 1, sizeof(*names));
	nnames = xcalloc(nsp ? nsp : 1, sizeof(*nnames));
	detect = fleet_detects(o);
	if (detect && catalog_load(&cat, o->catalogue, &cerr) < 0) {
		catalog_release(&cat);	/* each host's audit reports the catalogue's error */
		detect = 0;
	}
	for (size_t i = 0; i < nsp; i++) {
		struct host_result *h = &f->hosts[f->nhosts++];
		struct audit_opts ho = *o;
		struct strbuf herr = STRBUF_INIT;
		struct audit *a;

		h->host = sp[i].name;
		h->aliases = sp[i].aliases;
		h->where = sp[i].where;
		h->docroot = sp[i].docroot;
		if (detect && detect_plugins(o, &cat, h, &names[i], &nnames[i], &keys[i]) < 0)
			continue;	/* no payment plugin: nothing to audit */
		ho.names = names[i];
		ho.nnames = nnames[i] ? nnames[i] : o->nnames;
		if (!nnames[i])
			ho.names = o->names;
		for (size_t j = 0; j < i && !h->a; j++)
			if (f->hosts[j].a && keys[j].a == keys[i].a && keys[j].b == keys[i].b) {
				h->a = f->hosts[j].a;
				h->shared_with = f->hosts[j].shared_with ? f->hosts[j].shared_with : f->hosts[j].host;
			}
		if (h->a)
			continue;
		ho.params.host = h->host;
		ho.vhost_only = sp[i].ordinal;
		a = xcalloc(1, sizeof(*a));
		if (audit_run(&ho, a, &herr) < 0) {
			h->error = strbuf_detach(&herr, NULL);
			audit_release(a);
			free(a);
		} else {
			ARRAY_PUSH(f->audits, f->naudits, f->aaudits);
			f->audits[f->naudits++] = a;
			h->a = a;
		}
		strbuf_release(&herr);
	}
	for (size_t i = 0; i < nsp; i++)
		free(names[i]);
	free(names);
	free(nnames);
	if (detect)
		catalog_release(&cat);
	strbuf_release(&cerr);
	free(keys);
	free(sp);
	return 0;
}

void fleet_release(struct fleet *f)
{
	for (size_t i = 0; i < f->nhosts; i++) {
		free(f->hosts[i].host);
		free(f->hosts[i].aliases);
		free(f->hosts[i].where);
		free(f->hosts[i].docroot);
		free(f->hosts[i].plugins);
		free(f->hosts[i].error);
	}
	free(f->hosts);
	for (size_t i = 0; i < f->naudits; i++) {
		audit_release(f->audits[i]);
		free(f->audits[i]);
	}
	free(f->audits);
	for (size_t i = 0; i < f->nskipped; i++)
		free(f->skipped[i]);
	free(f->skipped);
	memset(f, 0, sizeof(*f));
}

int fleet_status(const struct fleet *f)
{
	int worst = 0;
	for (size_t i = 0; i < f->nhosts; i++) {
		int s = host_status(&f->hosts[i]);
		if (s > worst)
			worst = s;
	}
	return worst;
}
