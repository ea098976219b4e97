/*
 * plugins: what a shop really runs, read from its document root.
 *
 * WordPress keeps plugins in wp-content/plugins/DIR/; the plugin's main
 * file is the .php file at the top of DIR whose header comment (in the
 * first 8 KiB, as WordPress reads it) has "Plugin Name:". Its "Version:"
 * and "Text Domain:" name what is installed. The payment plugins known
 * here map to the catalogue's `plugin` values (kco, kp, kec, ...), so the
 * audit runs exactly the callbacks those versions send
 * (callback_sent_by). Nothing is executed; only the header comments are
 * read, through --root.
 */
#ifndef MCA_PLUGINS_H
#define MCA_PLUGINS_H

#include <stddef.h>
#include "catalog.h"
#include "util/strbuf.h"

struct plugin_found {
	char *name;		/* the header's Plugin Name: "Kustom Checkout for WooCommerce" */
	char *version;		/* its Version: "2.20.1" ("" when missing) */
	char *file;		/* the main file, as the server names it */
	const char *const *ids;	/* the catalogue `plugin` values it sends callbacks as */
	const char *slug;	/* its WordPress.org slug (the catalogue's plugins[].slug) */
};

struct plugins {
	int readable;		/* the document root could be read */
	char *wordpress;	/* WordPress's $wp_version, "" when unknown, NULL when not WordPress */
	struct plugin_found *p;
	size_t n;
};

/* Look at `docroot` (the server's path) under `root` (NULL = /). */
void plugins_detect(const char *root, const char *docroot, const struct catalog *c, struct plugins *out);
void plugins_release(struct plugins *p);

/* The callbacks of catalogue `c` the detected plugins send (names point
 * into `c`; *out malloc'd). 0 when none. */
size_t plugins_callbacks(const struct plugins *p, const struct catalog *c, const char ***out);

/* "Kustom Checkout 2.20.1: kco-push-nosession, kco-block-validation; ..."
 * or "no payment plugin found" / "document root ... not readable". */
void plugins_describe(const struct plugins *p, const struct catalog *c, const char *docroot,
		      struct strbuf *out);

/* A host's shop, for its audit (the fleet's hosts and --host with a server
 * configuration): *desc is plugins_describe's text (malloc'd), *names the
 * callbacks its plugins send (plugins_callbacks). Returns 1 when the
 * document root was read (then *names is exactly what to audit: none =
 * nothing to audit), 0 when it was not (unset or unreadable: audit every
 * callback, as without a document root). With `need_wordpress`, a
 * readable document root without WordPress counts as not read (a shop in
 * a subdirectory is not looked for): --host names a shop, so finding no
 * WordPress is no reason to audit nothing. */
int plugins_for_host(const char *root, const char *docroot, const struct catalog *c, int need_wordpress,
		     char **desc, const char ***names, size_t *n);

#endif
