/* Every host of a server in one run: see fleet.h. */
#include "fleet.h"
#include "nginxconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct spec {
	char *name, *aliases, *where, *docroot;
};

static void spec_add(struct spec **s, size_t *n, const char *names, const char *where, const char *docroot,
		     struct fleet *f)
{
	const char *sp;
	size_t len;
	while (*names == ' ')
		names++;
	if (!*names) {
		ARRAY_PUSH(f->skipped, f->nskipped, f->askipped);
		f->skipped[f->nskipped++] = xasprintf("%s: no ServerName/server_name, not audited", where);
		return;
	}
	sp = strchr(names, ' ');
	len = sp ? (size_t)(sp - names) : strlen(names);
	for (size_t i = 0; i < *n; i++)
		if (strlen((*s)[i].name) == len && !strncasecmp((*s)[i].name, names, len)) {
			ARRAY_PUSH(f->skipped, f->nskipped, f->askipped);
			f->skipped[f->nskipped++] = xasprintf("%s: serves %s again; the server answers with %s",
							      where, (*s)[i].name, (*s)[i].where);
			return;
		}
	*s = xrealloc(*s, (*n + 1) * sizeof(**s));
	(*s)[*n].name = xstrndup(names, len);
	(*s)[*n].aliases = xstrdup(sp ? sp + 1 : "");
	(*s)[*n].where = xstrdup(where);
	(*s)[*n].docroot = docroot ? xstrdup(docroot) : NULL;
	(*n)++;
}

/* The hosts the configuration serves, in its order. */
static int list_hosts(const struct audit_opts *o, struct fleet *f, struct spec **out, size_t *n,
		      struct strbuf *err)
{
	struct ruleset rs;
	int ret = 0;
	*out = NULL;
	*n = 0;
	ruleset_init(&rs);
	rs.engine_v2 = o->engine_v2;
	rs.root = o->root ? xstrdup(o->root) : NULL;
	if (server_is_nginx(o->server_config)) {
		struct nginx_server *sv;
		size_t nsv;
		ret = nginxconf_servers(&rs, o->server_config, &sv, &nsv, err);
		for (size_t i = 0; !ret && i < nsv; i++)
			spec_add(out, n, sv[i].names, sv[i].where, sv[i].root, f);
		if (!ret)
			nginx_servers_free(sv, nsv);
	} else {
		char *cfg = o->root ? xasprintf("%s%s", o->root, o->server_config) : xstrdup(o->server_config);
		char *dir = xstrdup(o->server_config), *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		rs.apache = 1;
		rs.server_root = dir;
		ret = ruleset_add_file(&rs, cfg, err);
		free(cfg);
		for (size_t u = 0; !ret && u < rs.nunits; u++)
			if (rs.units[u].vhost)
				spec_add(out, n, rs.units[u].vhost, rs.units[u].name, rs.units[u].docroot, f);
	}
	ruleset_release(&rs);
	if (!ret && !*n) {
		strbuf_addf(err, "%s: --all-hosts: no <VirtualHost> or server {} with a name", o->server_config);
		ret = -1;
	}
	return ret;
}

/* Two 64-bit hashes (FNV-1a and a multiplicative one) of what decides an
 * audit's outcome: engine, mode, callbacks chosen, and every active unit. */
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

static struct key rules_key(const struct audit_opts *o, const struct ruleset *rs)
{
	struct key k = { 14695981039346656037ULL, 0 };
	mix_str(&k, o->engine_v2 ? "v2" : "v3");
	mix_str(&k, rs->rule_engine);
	mix_str(&k, o->kco_version);
	for (size_t i = 0; i < o->nnames; i++)
		mix_str(&k, o->names[i]);
	for (size_t u = 0; u < rs->nunits; u++) {
		if (rs->units[u].inactive)
			continue;
		mix_str(&k, rs->units[u].scope);
		mix(&k, rs->units[u].text.buf, rs->units[u].text.len);
	}
	return k;
}

int fleet_run(const struct audit_opts *o, struct fleet *f, struct strbuf *err)
{
	struct spec *sp;
	size_t nsp;
	struct key *keys;

	memset(f, 0, sizeof(*f));
	if (list_hosts(o, f, &sp, &nsp, err) < 0)
		return -1;
	f->hosts = xcalloc(nsp, sizeof(*f->hosts));
	keys = xcalloc(nsp, sizeof(*keys));
	for (size_t i = 0; i < nsp; i++) {
		struct host_result *h = &f->hosts[f->nhosts++];
		struct audit_opts ho = *o;
		struct ruleset rs;
		struct strbuf herr = STRBUF_INIT;

		h->host = sp[i].name;
		h->aliases = sp[i].aliases;
		h->where = sp[i].where;
		h->docroot = sp[i].docroot;
		ho.params.host = h->host;
		if (audit_read_rules(&ho, &rs, &herr) < 0) {
			h->error = strbuf_detach(&herr, NULL);
			ruleset_release(&rs);
			continue;
		}
		keys[i] = rules_key(&ho, &rs);
		ruleset_release(&rs);
		for (size_t j = 0; j < i; j++)
			if (f->hosts[j].a && keys[j].a == keys[i].a && keys[j].b == keys[i].b) {
				h->a = f->hosts[j].a;
				h->shared_with = f->hosts[j].shared_with ? f->hosts[j].shared_with : f->hosts[j].host;
				break;
			}
		if (!h->a) {
			struct audit *a = xcalloc(1, sizeof(*a));
			if (audit_run(&ho, a, &herr) < 0) {
				h->error = strbuf_detach(&herr, NULL);
				audit_release(a);
				free(a);
			} else {
				ARRAY_PUSH(f->audits, f->naudits, f->aaudits);
				f->audits[f->naudits++] = a;
				h->a = a;
			}
		}
		strbuf_release(&herr);
	}
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
