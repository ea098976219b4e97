#include "dialect.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[D_COUNT] = {
	"runtime", "startup", "apache", "nginx", "cpanel", "cloudflare", "paths", "crs-plugin", "whmapi"
};
static const char *const files[D_COUNT] = {
	"runtime.conf", "startup.conf", "apache.conf", "nginx.conf", "cpanel.conf",
	"cloudflare.txt", "paths.txt", "crs-plugin.conf", "whmapi.sh"
};

const char *dialect_name(enum dialect d)
{
	return names[d];
}

const char *dialect_file(enum dialect d)
{
	return files[d];
}

int dialects_parse(const char *s, unsigned *set, enum dialect *first)
{
	char *copy = xstrdup(s), *save = NULL;
	int ret = 0;
	*set = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int found = 0;
		for (int d = 0; d < D_COUNT; d++)
			if (!strcmp(t, names[d])) {
				if (!*set)
					*first = (enum dialect)d;
				*set |= 1u << d;
				found = 1;
			}
		if (!found)
			ret = -1;
	}
	free(copy);
	return *set ? ret : -1;
}

static void header(struct strbuf *out, const char *version, const char *what)
{
	strbuf_addf(out, "# Klarna callback exclusions (%s), written by modsec-callback-audit %s.\n", what, version);
}

static void who(struct strbuf *out, const struct exclusion *x)
{
	strbuf_addf(out, "# Rule %ld for %s", x->rule_id, x->cb->name);
	for (size_t i = 0; i < x->nalso; i++)
		strbuf_addf(out, ", %s", x->also[i]->name);
	if (!x->verified)
		strbuf_addstr(out, " (NOT VERIFIED)");
	strbuf_addch(out, '\n');
}

static void indent(struct strbuf *out, const char *text, const char *pad)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		strbuf_addstr(out, pad);
		strbuf_add(out, p, len);
		strbuf_addch(out, '\n');
		p = nl ? nl + 1 : p + len;
	}
}

/* Exclusions share a server scope when they cover the same endpoint:
 * one block per endpoint (nginx uses only the first of equal regex
 * locations). Is x[i] the first of its group? */
static int first_of_group(const struct exclusion *x, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (exclusion_same_scope(&x[k], x[i].cb, x[i].forms))
			return 0;
	return 1;
}

/* The startup directives of every exclusion in x[i]'s group, with who
 * each is for. */
static void group_startup(struct strbuf *out, const struct exclusion *x, size_t n, size_t i)
{
	for (size_t k = i; k < n; k++) {
		if (k != i && !exclusion_same_scope(&x[k], x[i].cb, x[i].forms))
			continue;
		who(out, &x[k]);
		exclusion_startup(out, &x[k]);
	}
}

/* mod_security2 refuses SecRuleUpdateTargetById inside <LocationMatch>
 * ("Updating target by ID with no ruleset in this context", apache2 -t),
 * so target exclusions keep their runtime form: it scopes itself on the
 * raw URI and works at server or vhost level. Rule-wide removals go in
 * <LocationMatch> (Apache normalises the path first) and, for the
 * /?wc-api= form, an <If> on the query. */
static void apache_blocks(struct strbuf *out, const struct exclusion *x, size_t n, size_t i)
{
	struct strbuf rx = STRBUF_INIT, st = STRBUF_INIT;
	for (size_t k = i; k < n; k++) {
		if (k != i && !exclusion_same_scope(&x[k], x[i].cb, x[i].forms))
			continue;
		if (x[k].scope == EXCL_TARGET) {
			strbuf_addstr(out, x[k].snippet);
			continue;
		}
		who(&st, &x[k]);
		exclusion_startup(&st, &x[k]);
	}
	if (st.len && exclusion_path_regex(&rx, &x[i], 0)) {
		strbuf_addf(out, "<LocationMatch \"%s\">\n", rx.buf);
		indent(out, st.buf, "    ");
		strbuf_addstr(out, "</LocationMatch>\n");
	}
	if (st.len && x[i].cb->wc_api && (x[i].forms & URL_FORM_BIT(FORM_QUERY))) {
		strbuf_addf(out, "<If \"%%{REQUEST_URI} == '/' && %%{QUERY_STRING} =~ /(?:^|&)wc-api=%s(?:&|$)/\">\n",
			    x[i].cb->wc_api);
		indent(out, st.buf, "    ");
		strbuf_addstr(out, "</If>\n");
	}
	strbuf_release(&rx);
	strbuf_release(&st);
}

static void nginx_blocks(struct strbuf *out, const struct exclusion *x, size_t n, size_t i)
{
	struct strbuf rx = STRBUF_INIT, st = STRBUF_INIT;
	group_startup(&st, x, n, i);
	if (exclusion_path_regex(&rx, &x[i], 0)) {
		strbuf_addf(out, "location ~ %s {\n", rx.buf);
		strbuf_addstr(out, "    modsecurity_rules '\n");
		indent(out, st.buf, "        ");
		strbuf_addstr(out, "    ';\n");
		strbuf_addstr(out, "    # then what your PHP location does, e.g.:\n"
			      "    try_files $uri $uri/ /index.php?$args;\n");
		strbuf_addstr(out, "}\n");
	}
	strbuf_release(&rx);
	strbuf_release(&st);
}

/* The query form has no nginx location: its runtime rules go in the
 * server block's modsecurity_rules. */
static void nginx_query_rules(struct strbuf *out, const struct exclusion *x, size_t n)
{
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (x[i].cb->wc_api && (x[i].forms & URL_FORM_BIT(FORM_QUERY)))
			any = 1;
	if (!any)
		return;
	strbuf_addstr(out, "# The /?wc-api=NAME form: no location matches a query, so these runtime\n"
		      "# rules go in the server block (before its modsecurity_rules_file lines):\n"
		      "modsecurity_rules '\n");
	for (size_t i = 0; i < n; i++) {
		const char *sn = x[i].snippet, *q;
		if (!x[i].cb->wc_api || !(x[i].forms & URL_FORM_BIT(FORM_QUERY)))
			continue;
		/* the query-form rule is the last SecRule block of the snippet */
		q = strstr(sn, "SecRule REQUEST_URI_RAW \"@rx ^/\\?");
		if (q)
			indent(out, q, "    ");
	}
	strbuf_addstr(out, "';\n");
}

static void cloudflare(struct strbuf *out, const struct exclusion *x, size_t n)
{
	/* one expression for all endpoints, each once */
	int first = 1;
	strbuf_addstr(out, "# Cloudflare: Security > WAF > Custom rules > Create rule. Action: Skip\n"
		      "# (the managed rules / WAF components that block), with this expression.\n"
		      "# Cloudflare normalises the path before matching.\n");
	for (size_t i = 0; i < n; i++) {
		const struct callback *cb = x[i].cb;
		if (!first_of_group(x, i))
			continue;
		strbuf_addstr(out, first ? "(" : "\nor (");
		first = 0;
		if (cb->path) {
			const char *o = strstr(cb->path, "{{");
			if (o) {
				const char *e = strstr(o, "}}");
				char *head = xstrndup(cb->path, (size_t)(o - cb->path));
				strbuf_addf(out, "starts_with(http.request.uri.path, \"%s\") and ends_with(http.request.uri.path, \"%s\")",
					    head, e ? e + 2 : "");
				free(head);
			} else {
				strbuf_addf(out, "http.request.uri.path eq \"%s\"", cb->path);
			}
		} else {
			const char *slash = cb->trailing_slash ? "/" : "";
			int k = 0;
			strbuf_addstr(out, "http.request.uri.path in {");
			if (x[i].forms & URL_FORM_BIT(FORM_PATH))
				strbuf_addf(out, "%s\"/wc-api/%s%s\"", k++ ? " " : "", cb->wc_api, slash);
			if (x[i].forms & URL_FORM_BIT(FORM_INDEX))
				strbuf_addf(out, "%s\"/index.php/wc-api/%s%s\"", k++ ? " " : "", cb->wc_api, slash);
			strbuf_addstr(out, "}");
			if (x[i].forms & URL_FORM_BIT(FORM_QUERY))
				strbuf_addf(out, " or (http.request.uri.path eq \"/\" and any(http.request.uri.args[\"wc-api\"][*] eq \"%s\"))",
					    cb->wc_api);
		}
		strbuf_addstr(out, ")");
		if (x[i].source_ips) {
			char *ips = xstrdup(x[i].source_ips);
			for (char *c = ips; *c; c++)
				if (*c == ',')
					*c = ' ';
			strbuf_addf(out, " and ip.src in {%s}", ips);
			free(ips);
		}
	}
	strbuf_addch(out, '\n');
}

static void paths(struct strbuf *out, const struct exclusion *x, size_t n)
{
	strbuf_addstr(out, "# Paths Klarna's callbacks use on this shop, for WAFs and CDNs that take an\n"
		      "# allow list of URL paths (Sucuri and others). '*' stands for one path segment.\n");
	for (size_t i = 0; i < n; i++) {
		const struct callback *cb = x[i].cb;
		if (!first_of_group(x, i))
			continue;
		if (cb->path) {
			for (const char *s = cb->path; *s;) {
				const char *o = strstr(s, "{{"), *e;
				if (!o || !(e = strstr(o, "}}"))) {
					strbuf_addstr(out, s);
					break;
				}
				strbuf_add(out, s, (size_t)(o - s));
				strbuf_addch(out, '*');
				s = e + 2;
			}
			strbuf_addch(out, '\n');
			continue;
		}
		if (x[i].forms & URL_FORM_BIT(FORM_PATH))
			strbuf_addf(out, "/wc-api/%s%s\n", cb->wc_api, cb->trailing_slash ? "/" : "");
		if (x[i].forms & URL_FORM_BIT(FORM_INDEX))
			strbuf_addf(out, "/index.php/wc-api/%s%s\n", cb->wc_api, cb->trailing_slash ? "/" : "");
		if (x[i].forms & URL_FORM_BIT(FORM_QUERY))
			strbuf_addf(out, "/?wc-api=%s\n", cb->wc_api);
	}
}

void dialect_render(enum dialect d, const struct exclusion *x, size_t n,
		    const char *version, struct strbuf *out)
{
	switch (d) {
	case D_RUNTIME:
		exclusion_file(out, x, n, version);
		break;
	case D_CRS_PLUGIN:
		crs_plugin_render(x, n, version, -1, out);
		break;
	case D_WHMAPI:
		whmapi_render(x, n, version, out);
		break;
	case D_STARTUP:
		header(out, version, "startup form");
		/* SecRuleRemoveById / SecRuleUpdateTargetById outside a scope
		 * act on every request of the site: a file of them loaded after
		 * the rule sets would turn XSS and RCE rules off everywhere.
		 * Not offered on its own: the apache, nginx and cpanel forms
		 * place these directives inside the callbacks' paths. */
		strbuf_addstr(out, "# NOT OFFERED as a file of its own: these configure-time directives act on\n"
			      "# every request of the site unless they sit inside the callback's path scope,\n"
			      "# and a file loaded after the rule sets has none (unscoped, they would turn\n"
			      "# these XSS/RCE/... rules off for the whole site). Use the runtime form, or the\n"
			      "# apache, nginx or cpanel forms, which put them in <LocationMatch>/location\n"
			      "# blocks for the callbacks' paths. For reference only, commented out:\n");
		for (size_t i = 0; i < n; i++) {
			struct strbuf st = STRBUF_INIT;
			strbuf_addch(out, '\n');
			who(out, &x[i]);
			exclusion_startup(&st, &x[i]);
			indent(out, st.buf, "#   ");
			strbuf_release(&st);
		}
		break;
	case D_APACHE:
	case D_CPANEL:
		header(out, version, d == D_APACHE ? "Apache + mod_security2" : "cPanel/WHM EasyApache 4");
		if (d == D_CPANEL)
			strbuf_addstr(out, "# Put this in /etc/apache2/conf.d/modsec/modsec2.user.conf (WHM > Security Center >\n"
				      "# ModSecurity Tools > Rules List > Edit Rules writes the same file). cPanel includes\n"
				      "# it after the vendor rule sets: the SecRule exclusions act from phase 1 on, so they\n"
				      "# cover every vendor rule of phases 2-5 (the Klarna blockers are phase 2). Then:\n"
				      "#   apachectl -t && /scripts/restartsrv_httpd\n");
		else
			strbuf_addstr(out, "# Include this in the shop's <VirtualHost> (or server config) BEFORE the rule sets:\n"
				      "# the SecRule exclusions act at runtime (mod_security2 refuses SecRuleUpdateTargetById\n"
				      "# inside <LocationMatch>); the <LocationMatch>/<If> removals may go anywhere.\n"
				      "# Then: apache2ctl -t && apache2ctl graceful\n");
		for (size_t i = 0; i < n; i++) {
			if (!first_of_group(x, i))
				continue;
			strbuf_addch(out, '\n');
			apache_blocks(out, x, n, i);
		}
		break;
	case D_NGINX:
		header(out, version, "nginx + ModSecurity-nginx");
		strbuf_addstr(out, "# Inside the shop's server { } block. A location replaces the one that served\n"
			      "# these paths before, so give it what your PHP location does (fastcgi lines or\n"
			      "# try_files). Then: nginx -t && nginx -s reload\n");
		for (size_t i = 0; i < n; i++) {
			if (!first_of_group(x, i))
				continue;
			strbuf_addch(out, '\n');
			nginx_blocks(out, x, n, i);
		}
		strbuf_addch(out, '\n');
		nginx_query_rules(out, x, n);
		break;
	case D_CLOUDFLARE:
		cloudflare(out, x, n);
		break;
	case D_PATHS:
		paths(out, x, n);
		break;
	case D_COUNT:
		break;
	}
}
