/*
 * catalog: the callback catalogues (YAML, format documented in README.md)
 * and the request builder that turns an entry into what goes on the wire.
 *
 * A catalogue is one file per payment provider (callbacks/NAME.yaml); the
 * tool loads a file or every *.yaml of a directory (in name order) into
 * one struct catalog. Each file may name its provider and the WordPress
 * plugins whose versions its callbacks' `versions:` refer to; a file
 * without a provider block is a provider named after the file.
 * Everything is loaded whole and checked up front: unknown keys, bad
 * values, unknown {{placeholders}} and duplicate names (across files too)
 * are errors naming file:line, so a broken catalogue never half-runs.
 * The parser lives in catalog_yaml.c; building and selecting here.
 */
#ifndef MCA_CATALOG_H
#define MCA_CATALOG_H

#include <stddef.h>
#include "request.h"
#include "util/strbuf.h"

/* The URL forms WooCommerce accepts for a wc-api endpoint; FORM_FIXED is
 * the one form of an endpoint given by path. */
enum url_form { FORM_PATH, FORM_INDEX, FORM_QUERY, FORM_FIXED };
#define URL_FORM_BIT(f) (1u << (f))
#define URL_FORMS_WC (URL_FORM_BIT(FORM_PATH) | URL_FORM_BIT(FORM_INDEX) | URL_FORM_BIT(FORM_QUERY))

const char *url_form_name(enum url_form f);
/* Parse "path,index,query" or "all" into a bit set; -1 on a bad name. */
int url_forms_parse(const char *s, unsigned *forms);

struct version_range {
	char *from;	/* inclusive, "" = from the first */
	char *to;	/* inclusive, "" = open-ended */
};

struct callback {
	char *name, *title, *plugin, *sender, *method, *notes;
	char *wc_api;		/* NULL for path endpoints */
	char *path;		/* NULL for wc-api endpoints */
	int trailing_slash;
	char *query;		/* NULL when none */
	unsigned forms;		/* url_forms: the wc-api forms the plugin
				 * handles (0 = all three) */
	char **headers;		/* "Name: value" */
	size_t nheaders;
	char *body;		/* NULL when none */
	size_t body_len;
	int resp_status;
	char *resp_ctype, *resp_body;
	struct version_range *versions;
	size_t nversions;	/* 0 = every version */
	int line;		/* where the entry starts in its catalogue */
	size_t provider;	/* index into catalog.provs */
};

/* A WordPress plugin that sends (or whose shop answers) callbacks: the
 * `versions:` of a callback with `plugin: <id>` are this plugin's. */
struct plugin_info {
	char *id;		/* what callbacks name in plugin: */
	char *title;		/* the plugin's name as WordPress shows it */
	char *slug;		/* wp-content/plugins/<slug>/ (NULL = unknown) */
	char *main_file;	/* the file whose header has "Version:" */
	char **former;		/* earlier names/slugs ("Klarna Checkout ...") */
	size_t nformer;
};

struct provider {
	char *name;		/* lower-case id, what --provider matches */
	char *title;
	char *file;		/* the catalogue file it comes from */
	char *sender;		/* its callbacks' default sender (NULL: klarna) */
	char **aliases;		/* other names --provider matches */
	size_t naliases;
	struct plugin_info *plugins;
	size_t nplugins;
	char **default_headers;	/* "Name: value", before each entry's own */
	size_t ndefault;
};

struct catalog {
	char *file;		/* what was loaded: a file or a directory */
	struct provider *provs;
	size_t nprovs;
	struct callback *cbs;
	size_t n;
};

/* Load a catalogue file, or every *.yaml in a directory (name order). */
int catalog_load(struct catalog *c, const char *path, struct strbuf *err);
void catalog_release(struct catalog *c);
const struct callback *catalog_find(const struct catalog *c, const char *name);
const struct provider *callback_provider(const struct catalog *c, const struct callback *cb);
/* The plugin a callback belongs to, or NULL when its provider lists none. */
const struct plugin_info *callback_plugin(const struct catalog *c, const struct callback *cb);
/* Does `name` ("Klarna Checkout", "kustom-checkout", "kco") name provider
 * `p`? Case, spaces and '_' versus '-' do not matter. */
int provider_matches(const struct provider *p, const char *name);
/* Placeholder check shared with the parser: the first unknown
 * "{{name}}" in `s` (malloc'd) or NULL. */
char *catalog_bad_placeholder(const char *s);

/* Does the plugin version `v` ("2.5.1") send this callback? */
int callback_sent_by(const struct callback *cb, const char *v);
/* Compare dotted versions; -1 when `s` is not one. */
int version_valid(const char *s);
int version_cmp(const char *a, const char *b);

/* What the placeholders stand for, and the user's header overrides. */
struct build_params {
	const char *host;
	const char *klarna_order_id;
	const char *session_id;
	const char *wc_order_id;
	const char *order_key;
	const char *cart_token;
	const char *nonce;
	const char *client_ip;
	const char *const *header_overrides;	/* "Name: value"; "Name:" removes */
	size_t noverrides;
};
void build_params_defaults(struct build_params *p);

/* Build the request (and WooCommerce's response) for one URL form. */
void callback_request(const struct catalog *c, const struct callback *cb,
		      enum url_form form, const struct build_params *p,
		      struct request *req, struct response *resp);

/* The forms an entry can take, as a bit set. */
unsigned callback_forms(const struct callback *cb);

/* What the audit and the probe run: every (callback, URL form) chosen by
 * --provider (`providers`: comma-separated names, NULL = all), --callback
 * names (none = all), --kco-version (NULL = all; other plugins' callbacks
 * stay) and --url-form (wc-api callbacks only), in catalogue order.
 * Returns -1 with "file: reason" in `err` for an unknown name or an empty
 * selection. `*out` is malloc'd. */
struct selection {
	const struct callback *cb;
	enum url_form form;
};
int catalog_select(const struct catalog *c, const char *providers,
		   const char *const *names, size_t nnames,
		   const char *kco_version, unsigned forms,
		   struct selection **out, size_t *n, struct strbuf *err);

#endif
