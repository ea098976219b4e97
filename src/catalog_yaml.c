/*
 * catalog_yaml: reading callback catalogues (format in README.md,
 * "Callback catalogue").
 *
 * One file is one provider: `provider:` (name, title, aliases, sender,
 * plugins with their WordPress slug and main file), `defaults:` (headers
 * every callback of the file starts from) and `callbacks:`. A directory
 * is every *.yaml in it, in name order, merged into one catalogue whose
 * callback names must be unique. Errors name file:line and leave the
 * catalogue in a state catalog_release() frees.
 */
#include "catalog.h"
#include "util/fileio.h"
#include "util/yamlload.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

struct yctx {
	yaml_document_t *doc;
	const char *file;
	struct strbuf *err;
};

static int fail(struct yctx *y, yaml_node_t *n, const char *fmt, const char *arg)
{
	strbuf_addf(y->err, "%s:%lu: ", y->file, n ? (unsigned long)n->start_mark.line + 1 : 0UL);
	strbuf_addf(y->err, fmt, arg);
	return -1;
}

static int scalar(struct yctx *y, yaml_node_t *n, const char *key, char **out)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return fail(y, n, "%s: expected a string", key);
	free(*out);
	*out = xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
	return 0;
}

/* Each key of mapping `n` with its value, to `fn`, which reads what it
 * knows and names what it does not. `not_mapping` is the error when `n`
 * is no mapping; a key that is not a string is an error. */
typedef int (*pair_fn)(struct yctx *y, yaml_node_t *k, const char *key, yaml_node_t *v, void *obj);

static int each_pair(struct yctx *y, yaml_node_t *n, const char *not_mapping, pair_fn fn, void *obj)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return fail(y, n, "%s", not_mapping);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return fail(y, k, "%s", "expected a key");
		if (fn(y, k, (const char *)k->data.scalar.value, v, obj) < 0)
			return -1;
	}
	return 0;
}

/* The plain string fields of a struct: a key and where its char * is. */
struct string_field {
	const char *key;
	size_t off;
};

/* When `key` is one of `f`'s, its string read into `obj` (*slot: where).
 * 1 read, 0 not one of them, -1 not a string. */
static int string_field(struct yctx *y, yaml_node_t *v, const char *key, void *obj, const struct string_field *f,
			size_t nf, char ***slot)
{
	for (size_t i = 0; i < nf; i++)
		if (!strcmp(key, f[i].key)) {
			*slot = (char **)((char *)obj + f[i].off);
			return scalar(y, v, key, *slot) < 0 ? -1 : 1;
		}
	return 0;
}

#define FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

static int string_list(struct yctx *y, yaml_node_t *n, const char *key, char ***out,
		       size_t *count)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return fail(y, n, "%s: expected a list", key);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(y->doc, *it);
		char *s = NULL;
		if (scalar(y, v, key, &s) < 0)
			return -1;
		*out = xrealloc(*out, (*count + 1) * sizeof(char *));
		(*out)[(*count)++] = s;
	}
	return 0;
}

static int header_list(struct yctx *y, yaml_node_t *n, const char *key, char ***out,
		       size_t *count)
{
	size_t before = *count;
	if (string_list(y, n, key, out, count) < 0)
		return -1;
	for (size_t i = before; i < *count; i++) {
		char *name, *value;
		yaml_node_t *item = yaml_document_get_node(y->doc, n->data.sequence.items.start[i - before]);
		if (header_parse((*out)[i], &name, &value) < 0)
			return fail(y, item, "header \"%s\" is not \"Name: value\"", (*out)[i]);
		if (!strcasecmp(name, "Host") || !strcasecmp(name, "Content-Length")) {
			free(value);
			fail(y, item, "header %s is set by the tool; do not list it", name);
			free(name);
			return -1;
		}
		free(name);
		free(value);
	}
	return 0;
}

static int check_placeholders(struct yctx *y, yaml_node_t *n, const char *s)
{
	char *bad = catalog_bad_placeholder(s);
	if (bad) {
		fail(y, n, "unknown placeholder %s", bad);
		free(bad);
		return -1;
	}
	return 0;
}

static int parse_versions(struct yctx *y, yaml_node_t *n, struct callback *cb)
{
	char **list = NULL;
	size_t count = 0;
	int ret = 0;
	if (string_list(y, n, "versions", &list, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char *dash = strchr(list[i], '-');
		struct version_range r;
		if (!dash) {
			r.from = xstrdup(list[i]);
			r.to = xstrdup(list[i]);
		} else {
			r.from = xstrndup(list[i], (size_t)(dash - list[i]));
			r.to = xstrdup(dash + 1);
		}
		if ((*r.from && !version_valid(r.from)) || (*r.to && !version_valid(r.to)) ||
		    (!*r.from && !*r.to)) {
			ret = fail(y, n, "versions: \"%s\" is not a range like 1.8.0-2.18.3 or 2.20.0-", list[i]);
			free(r.from);
			free(r.to);
		} else {
			cb->versions = xrealloc(cb->versions, (cb->nversions + 1) * sizeof(r));
			cb->versions[cb->nversions++] = r;
		}
		free(list[i]);
	}
	free(list);
	return ret;
}

/* url_forms: [query] for a handler that reads $_GET['wc-api'] itself
 * (Stripe's), so only /?wc-api=NAME reaches it. */
static int parse_forms(struct yctx *y, yaml_node_t *n, struct callback *cb)
{
	char **list = NULL;
	size_t count = 0;
	int ret = 0;
	if (string_list(y, n, "url_forms", &list, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		unsigned f;
		if (!ret && (strchr(list[i], ',') || url_forms_parse(list[i], &f) < 0))
			ret = fail(y, n, "url_forms: \"%s\" is not path, index, query or all", list[i]);
		else if (!ret)
			cb->forms |= f;
		free(list[i]);
	}
	free(list);
	if (!ret && !count)
		ret = fail(y, n, "%s", "url_forms: an empty list");
	return ret;
}

static int response_pair(struct yctx *y, yaml_node_t *k, const char *key, yaml_node_t *v, void *obj)
{
	static const struct string_field f[] = {
		{ "content_type", offsetof(struct callback, resp_ctype) },
		{ "body", offsetof(struct callback, resp_body) },
	};
	struct callback *cb = obj;
	char **slot, *s = NULL, *end;
	long st;
	int r = string_field(y, v, key, cb, FIELDS(f), &slot);
	if (r)
		return r < 0 ? -1 : 0;
	if (strcmp(key, "status"))
		return fail(y, k, "unknown key \"%s\" in response", key);
	if (scalar(y, v, key, &s) < 0)
		return -1;
	st = strtol(s, &end, 10);
	if (*end || st < 100 || st > 599) {
		fail(y, v, "response status \"%s\" is not an HTTP status", s);
		free(s);
		return -1;
	}
	free(s);
	cb->resp_status = (int)st;
	return 0;
}

static int parse_response(struct yctx *y, yaml_node_t *n, struct callback *cb)
{
	return each_pair(y, n, "response: expected a mapping", response_pair, cb);
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
			return 0;
	return 1;
}

static int callback_pair(struct yctx *y, yaml_node_t *k, const char *key, yaml_node_t *v, void *obj)
{
	static const struct string_field f[] = {
		{ "name", offsetof(struct callback, name) },
		{ "title", offsetof(struct callback, title) },
		{ "plugin", offsetof(struct callback, plugin) },
		{ "sender", offsetof(struct callback, sender) },
		{ "method", offsetof(struct callback, method) },
		{ "wc_api", offsetof(struct callback, wc_api) },
		{ "path", offsetof(struct callback, path) },
		{ "query", offsetof(struct callback, query) },
		{ "body", offsetof(struct callback, body) },
		{ "notes", offsetof(struct callback, notes) },
	};
	struct callback *cb = obj;
	char **slot;
	int r = string_field(y, v, key, cb, FIELDS(f), &slot);
	if (r)
		return r < 0 ? -1 : check_placeholders(y, v, *slot);
	if (!strcmp(key, "trailing_slash")) {
		char *s = NULL;
		if (scalar(y, v, key, &s) < 0)
			return -1;
		if (!strcmp(s, "true"))
			cb->trailing_slash = 1;
		else if (!strcmp(s, "false"))
			cb->trailing_slash = 0;
		else {
			fail(y, v, "trailing_slash: \"%s\" is not true or false", s);
			free(s);
			return -1;
		}
		free(s);
		return 0;
	}
	if (!strcmp(key, "headers")) {
		if (header_list(y, v, key, &cb->headers, &cb->nheaders) < 0)
			return -1;
		for (size_t i = 0; i < cb->nheaders; i++)
			if (check_placeholders(y, v, cb->headers[i]) < 0)
				return -1;
		return 0;
	}
	if (!strcmp(key, "versions"))
		return parse_versions(y, v, cb);
	if (!strcmp(key, "url_forms"))
		return parse_forms(y, v, cb);
	if (!strcmp(key, "response"))
		return parse_response(y, v, cb);
	return fail(y, k, "unknown key \"%s\" in callback", key);
}

static int parse_callback(struct yctx *y, yaml_node_t *n, const struct provider *prov,
			  struct callback *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->line = (int)n->start_mark.line + 1;
	cb->trailing_slash = 1;
	cb->resp_status = 200;
	if (each_pair(y, n, "a callback must be a mapping", callback_pair, cb) < 0)
		return -1;
	if (!cb->name)
		return fail(y, n, "%s", "callback without a name");
	if (!valid_name(cb->name))
		return fail(y, n, "callback name \"%s\" must be lowercase letters, digits and '-'", cb->name);
	if (!cb->method)
		return fail(y, n, "callback %s has no method", cb->name);
	for (const char *m = cb->method; *m; m++)
		if (!isupper((unsigned char)*m))
			return fail(y, n, "callback method \"%s\" must be an upper-case HTTP method", cb->method);
	if (!!cb->wc_api == !!cb->path)
		return fail(y, n, "callback %s needs exactly one of wc_api and path", cb->name);
	if (cb->path && cb->path[0] != '/')
		return fail(y, n, "path \"%s\" must start with /", cb->path);
	if (cb->path && strchr(cb->path, '?'))
		return fail(y, n, "path \"%s\" must not hold a query (use query:)", cb->path);
	if (cb->path && cb->forms)
		return fail(y, n, "callback %s: url_forms is for wc_api endpoints", cb->name);
	if (prov->nplugins) {
		int known = !cb->plugin;
		for (size_t i = 0; cb->plugin && i < prov->nplugins; i++)
			known |= !strcmp(cb->plugin, prov->plugins[i].id);
		if (!known) {
			fail(y, n, "plugin \"%s\" is not one of the provider's plugins (", cb->plugin);
			for (size_t i = 0; i < prov->nplugins; i++)
				strbuf_addf(y->err, "%s%s", i ? ", " : "", prov->plugins[i].id);
			strbuf_addstr(y->err, ")");
			return -1;
		}
	} else if (cb->plugin && !valid_name(cb->plugin)) {
		return fail(y, n, "plugin \"%s\" must be lowercase letters, digits and '-'", cb->plugin);
	}
	if (cb->sender && !valid_name(cb->sender))
		return fail(y, n, "sender \"%s\" must be lowercase letters, digits and '-' (klarna, stripe, shop...)", cb->sender);
	if (!cb->title)
		cb->title = xstrdup(cb->name);
	/* Before providers, a catalogue was Klarna's: kco sent by klarna. */
	if (!cb->plugin)
		cb->plugin = xstrdup(prov->nplugins ? prov->plugins[0].id : "kco");
	if (!cb->sender)
		cb->sender = xstrdup(prov->sender ? prov->sender : "klarna");
	if (!cb->resp_ctype)
		cb->resp_ctype = xstrdup("text/html; charset=UTF-8");
	if (!cb->resp_body)
		cb->resp_body = xstrdup("-1");
	if (cb->body)
		cb->body_len = strlen(cb->body);
	return 0;
}

static void callback_release(struct callback *cb)
{
	free(cb->name);
	free(cb->title);
	free(cb->plugin);
	free(cb->sender);
	free(cb->method);
	free(cb->notes);
	free(cb->wc_api);
	free(cb->path);
	free(cb->query);
	for (size_t i = 0; i < cb->nheaders; i++)
		free(cb->headers[i]);
	free(cb->headers);
	free(cb->body);
	free(cb->resp_ctype);
	free(cb->resp_body);
	for (size_t i = 0; i < cb->nversions; i++) {
		free(cb->versions[i].from);
		free(cb->versions[i].to);
	}
	free(cb->versions);
}

static int plugin_pair(struct yctx *y, yaml_node_t *k, const char *key, yaml_node_t *v, void *obj)
{
	static const struct string_field f[] = {
		{ "id", offsetof(struct plugin_info, id) },
		{ "title", offsetof(struct plugin_info, title) },
		{ "slug", offsetof(struct plugin_info, slug) },
		{ "main_file", offsetof(struct plugin_info, main_file) },
	};
	struct plugin_info *pl = obj;
	char **slot;
	int r = string_field(y, v, key, pl, FIELDS(f), &slot);
	if (r)
		return r < 0 ? -1 : 0;
	if (!strcmp(key, "formerly"))
		return string_list(y, v, key, &pl->former, &pl->nformer);
	return fail(y, k, "unknown key \"%s\" in plugin", key);
}

static int parse_plugin(struct yctx *y, yaml_node_t *n, struct plugin_info *pl)
{
	memset(pl, 0, sizeof(*pl));
	if (each_pair(y, n, "a plugin must be a mapping (id, title, slug, main_file, formerly)", plugin_pair, pl) < 0)
		return -1;
	if (!pl->id || !valid_name(pl->id))
		return fail(y, n, "%s", "a plugin needs an id of lowercase letters, digits and '-'");
	if (!pl->title)
		pl->title = xstrdup(pl->id);
	return 0;
}

static void plugin_release(struct plugin_info *pl)
{
	free(pl->id);
	free(pl->title);
	free(pl->slug);
	free(pl->main_file);
	for (size_t i = 0; i < pl->nformer; i++)
		free(pl->former[i]);
	free(pl->former);
}

static int provider_pair(struct yctx *y, yaml_node_t *k, const char *key, yaml_node_t *v, void *obj)
{
	static const struct string_field f[] = {
		{ "name", offsetof(struct provider, name) },
		{ "title", offsetof(struct provider, title) },
		{ "sender", offsetof(struct provider, sender) },
	};
	struct provider *pv = obj;
	char **slot;
	int r = string_field(y, v, key, pv, FIELDS(f), &slot);
	if (r < 0)
		return -1;
	if (r) {
		if (strcmp(key, "title") && !valid_name(*slot))
			return fail(y, v, !strcmp(key, "name") ? "provider name \"%s\" must be lowercase letters, digits and '-'"
				    : "sender \"%s\" must be lowercase letters, digits and '-'", *slot);
		return 0;
	}
	if (!strcmp(key, "aliases"))
		return string_list(y, v, key, &pv->aliases, &pv->naliases);
	if (strcmp(key, "plugins"))
		return fail(y, k, "unknown key \"%s\" in provider", key);
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(y, v, "%s: expected a list", key);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		struct plugin_info pl;
		if (parse_plugin(y, yaml_document_get_node(y->doc, *it), &pl) < 0) {
			plugin_release(&pl);
			return -1;
		}
		pv->plugins = xrealloc(pv->plugins, (pv->nplugins + 1) * sizeof(pl));
		pv->plugins[pv->nplugins++] = pl;
	}
	return 0;
}

static int parse_provider(struct yctx *y, yaml_node_t *n, struct provider *pv)
{
	if (each_pair(y, n, "provider: expected a mapping (name, title, aliases, sender, plugins)", provider_pair, pv) < 0)
		return -1;
	if (!pv->name)
		return fail(y, n, "%s", "provider without a name");
	return 0;
}

/* A file without a provider block is a provider named after the file:
 * "my-shop.yaml" -> "my-shop" (other characters become '-'). */
static char *name_from_file(const char *path)
{
	const char *base = strrchr(path, '/');
	char *s = xstrdup(base ? base + 1 : path), *dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = '\0';
	for (char *q = s; *q; q++)
		*q = isalnum((unsigned char)*q) ? (char)tolower((unsigned char)*q) : '-';
	return s;
}

static void provider_release(struct provider *pv)
{
	free(pv->name);
	free(pv->title);
	free(pv->file);
	free(pv->sender);
	for (size_t i = 0; i < pv->naliases; i++)
		free(pv->aliases[i]);
	free(pv->aliases);
	for (size_t i = 0; i < pv->nplugins; i++)
		plugin_release(&pv->plugins[i]);
	free(pv->plugins);
	for (size_t i = 0; i < pv->ndefault; i++)
		free(pv->default_headers[i]);
	free(pv->default_headers);
}

/* Two passes over the root: the provider, defaults and format first, so
 * callbacks can be checked against the provider whatever the key order. */
static int parse_root(struct yctx *y, yaml_node_t *root, struct catalog *c, struct provider *pv)
{
	int have_version = 0, have_callbacks = 0;
	size_t before = c->n;
	if (!root || root->type != YAML_MAPPING_NODE)
		return fail(y, root, "%s", "a catalogue is a mapping with catalogue: 1 and callbacks:");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *key;
		if (k->type != YAML_SCALAR_NODE)
			return fail(y, k, "%s", "expected a key");
		key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "catalogue")) {
			char *s = NULL;
			if (scalar(y, v, key, &s) < 0)
				return -1;
			if (strcmp(s, "1")) {
				fail(y, v, "catalogue format \"%s\" is not supported (this tool reads 1)", s);
				free(s);
				return -1;
			}
			free(s);
			have_version = 1;
		} else if (!strcmp(key, "provider")) {
			if (parse_provider(y, v, pv) < 0)
				return -1;
		} else if (!strcmp(key, "defaults")) {
			if (v->type != YAML_MAPPING_NODE)
				return fail(y, v, "%s: expected a mapping", key);
			for (yaml_node_pair_t *d = v->data.mapping.pairs.start; d < v->data.mapping.pairs.top; d++) {
				yaml_node_t *dk = yaml_document_get_node(y->doc, d->key);
				yaml_node_t *dv = yaml_document_get_node(y->doc, d->value);
				if (dk->type != YAML_SCALAR_NODE || strcmp((const char *)dk->data.scalar.value, "headers"))
					return fail(y, dk, "unknown key \"%s\" in defaults",
						    dk->type == YAML_SCALAR_NODE ? (const char *)dk->data.scalar.value : "?");
				if (header_list(y, dv, "headers", &pv->default_headers, &pv->ndefault) < 0)
					return -1;
				for (size_t i = 0; i < pv->ndefault; i++)
					if (check_placeholders(y, dv, pv->default_headers[i]) < 0)
						return -1;
			}
		} else if (!strcmp(key, "callbacks")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(y, v, "%s: expected a list", key);
			have_callbacks = 1;
		} else {
			return fail(y, k, "unknown key \"%s\"", key);
		}
	}
	if (!have_version)
		return fail(y, root, "%s", "missing \"catalogue: 1\"");
	if (!pv->name)
		pv->name = name_from_file(y->file);
	if (!pv->title)
		pv->title = xstrdup(pv->name);
	for (size_t i = 0; i < c->nprovs; i++)
		if (!strcmp(c->provs[i].name, pv->name))
			return fail(y, root, "provider \"%s\" is already defined by another catalogue", pv->name);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		if (strcmp((const char *)k->data.scalar.value, "callbacks"))
			continue;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(y->doc, *it);
			struct callback cb;
			if (parse_callback(y, e, pv, &cb) < 0) {
				callback_release(&cb);
				return -1;
			}
			if (catalog_find(c, cb.name)) {
				fail(y, e, "duplicate callback name \"%s\"", cb.name);
				callback_release(&cb);
				return -1;
			}
			cb.provider = c->nprovs;
			c->cbs = xrealloc(c->cbs, (c->n + 1) * sizeof(cb));
			c->cbs[c->n++] = cb;
		}
	}
	if (!have_callbacks || c->n == before)
		return fail(y, root, "%s", "no callbacks");
	return 0;
}

static int load_file(struct catalog *c, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	yaml_document_t doc;
	struct yctx y = { &doc, path, err };
	struct provider pv;
	int ret;

	if (read_file(path, &text, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	if (yaml_load_strict(&doc, path, text.buf, text.len, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	memset(&pv, 0, sizeof(pv));
	pv.file = xstrdup(path);
	ret = parse_root(&y, yaml_document_get_root_node(&doc), c, &pv);
	if (ret == 0) {
		c->provs = xrealloc(c->provs, (c->nprovs + 1) * sizeof(pv));
		c->provs[c->nprovs++] = pv;
	} else {
		provider_release(&pv);
	}
	yaml_document_delete(&doc);
	strbuf_release(&text);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular *.yaml of `dir`, in name order (so the catalogue order,
 * and with it the report's, does not depend on the file system). */
static int load_dir(struct catalog *c, const char *dir, struct strbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int ret = 0;
	if (!d) {
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		ARRAY_PUSH(names, n, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT;
		struct stat st;
		strbuf_addf(&path, "%s/%s", dir, names[i]);
		if (!ret && stat(path.buf, &st) == 0 && S_ISREG(st.st_mode))
			ret = load_file(c, path.buf, err);
		strbuf_release(&path);
		free(names[i]);
	}
	free(names);
	if (!ret && !c->n) {
		strbuf_addf(err, "%s: no catalogue (*.yaml) in this directory", dir);
		ret = -1;
	}
	return ret;
}

int catalog_load(struct catalog *c, const char *path, struct strbuf *err)
{
	struct stat st;
	memset(c, 0, sizeof(*c));
	c->file = xstrdup(path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return load_dir(c, path, err);
	return load_file(c, path, err);
}

void catalog_release(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		callback_release(&c->cbs[i]);
	free(c->cbs);
	for (size_t i = 0; i < c->nprovs; i++)
		provider_release(&c->provs[i]);
	free(c->provs);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

const struct callback *catalog_find(const struct catalog *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->cbs[i].name, name))
			return &c->cbs[i];
	return NULL;
}

const struct provider *callback_provider(const struct catalog *c, const struct callback *cb)
{
	return &c->provs[cb->provider];
}

const struct plugin_info *callback_plugin(const struct catalog *c, const struct callback *cb)
{
	const struct provider *pv = callback_provider(c, cb);
	for (size_t i = 0; i < pv->nplugins; i++)
		if (!strcmp(pv->plugins[i].id, cb->plugin))
			return &pv->plugins[i];
	return NULL;
}
