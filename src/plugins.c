/* The shop's payment plugins from their main-file headers: see plugins.h. */
#include "plugins.h"
#include "util/fileio.h"
#include "util/rootpath.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The payment plugins known, by the Text Domain their header declares
 * (stable across renames: Klarna Checkout became Kustom Checkout with the
 * same slug) and by their directory as WordPress.org ships them. */
static const char *const kco_ids[] = { "kco", NULL };
static const char *const kp_ids[] = { "kp", "kec", NULL };	/* KEC ships inside Klarna Payments */
static const char *const stripe_ids[] = { "stripe", NULL };
static const char *const paypal_ids[] = { "paypal", NULL };
static const char *const mollie_ids[] = { "mollie", NULL };

static const struct known {
	const char *slug;
	const char *const *ids;
} known[] = {
	{ "klarna-checkout-for-woocommerce", kco_ids },
	{ "klarna-payments-for-woocommerce", kp_ids },
	{ "woocommerce-gateway-stripe", stripe_ids },
	{ "woocommerce-paypal-payments", paypal_ids },
	{ "mollie-payments-for-woocommerce", mollie_ids },
};

/* A header field's value: "Version: 2.20.1" anywhere in the comment,
 * after optional " * " decoration, up to the end of the line. */
static char *header_field(const char *text, const char *field)
{
	size_t fl = strlen(field);
	for (const char *p = text; (p = strcasestr(p, field)); p += fl) {
		const char *q = p + fl, *end;
		/* the field starts its line (after comment decoration) */
		const char *b = p;
		while (b > text && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '*' || b[-1] == '#' || b[-1] == '@'))
			b--;
		if (b > text && b[-1] != '\n' && b[-1] != '\r')
			continue;
		if (*q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		end = q + strcspn(q, "\r\n");
		/* the comment may close on the same line */
		{
			const char *close = strstr(q, "*/");
			if (close && close < end)
				end = close;
		}
		while (end > q && isspace((unsigned char)end[-1]))
			end--;
		return xstrndup(q, (size_t)(end - q));
	}
	return NULL;
}

static const char *const no_ids[] = { NULL };

/* The slug a plugin directory is, by the catalogue's plugins (providers'
 * plugins[].slug) first, then by the table above. */
static const char *catalogue_slug(const struct catalog *c, const char *domain, const char *dir)
{
	for (size_t p = 0; c && p < c->nprovs; p++)
		for (size_t k = 0; k < c->provs[p].nplugins; k++) {
			const char *slug = c->provs[p].plugins[k].slug;
			if (slug && ((domain && !strcasecmp(domain, slug)) || !strcasecmp(dir, slug)))
				return slug;
		}
	return NULL;
}

static const struct known *known_for(const char *domain, const char *dir)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if ((domain && !strcasecmp(domain, known[i].slug)) || !strcasecmp(dir, known[i].slug))
			return &known[i];
	return NULL;
}

/* The first 8 KiB of a regular file, as WordPress's get_file_data()
 * reads (never blocking on a FIFO or device). */
static int read_head(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n;
	size_t got = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return 0;
}

/* A server path as read here: inside --root, symlinks followed there. */
static char *local(const char *root, const char *path)
{
	return root ? root_resolve(root, path) : xstrdup(path);
}

static void plugin_dir(struct plugins *out, const char *root, const char *dirpath, const char *dirname,
		       const struct catalog *c)
{
	char *dl = local(root, dirpath), *buf;
	DIR *d = opendir(dl);
	struct dirent *de;
	free(dl);
	if (!d)
		return;
	buf = xmalloc(8193);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *path, *lp, *name, *domain;
		const char *slug;
		const struct known *k;
		int r;
		if (len < 5 || strcmp(de->d_name + len - 4, ".php"))
			continue;
		path = xasprintf("%s/%s", dirpath, de->d_name);
		lp = local(root, path);
		r = read_head(lp, buf, 8193);
		free(lp);
		if (r < 0 || !(name = header_field(buf, "Plugin Name"))) {
			free(path);
			continue;
		}
		domain = header_field(buf, "Text Domain");
		k = known_for(domain, dirname);
		slug = catalogue_slug(c, domain, dirname);
		if (k || slug) {
			struct plugin_found *pf;
			char *v = header_field(buf, "Version");
			out->p = xrealloc(out->p, (out->n + 1) * sizeof(*out->p));
			pf = &out->p[out->n++];
			pf->name = name;
			pf->version = v ? v : xstrdup("");
			pf->file = path;
			pf->ids = k ? k->ids : no_ids;
			pf->slug = slug ? slug : k->slug;
			name = NULL;
			path = NULL;
		}
		free(name);
		free(domain);
		free(path);
		if (k || slug)
			break;	/* one main file per plugin directory */
	}
	free(buf);
	closedir(d);
}

/* $wp_version = '6.5.2'; in wp-includes/version.php */
static char *wp_version(const char *root, const char *docroot)
{
	char *sp = xasprintf("%s/wp-includes/version.php", docroot), *path = local(root, sp), *v = NULL;
	char *buf = xmalloc(8193);
	if (read_head(path, buf, 8193) == 0) {
		const char *p = strstr(buf, "$wp_version");
		if (p && (p = strpbrk(p, "'\""))) {
			char q = *p++;
			const char *e = strchr(p, q);
			if (e)
				v = xstrndup(p, (size_t)(e - p));
		}
		if (!v)
			v = xstrdup("");
	}
	free(buf);
	free(sp);
	free(path);
	return v;
}

void plugins_detect(const char *root, const char *docroot, const struct catalog *c, struct plugins *out)
{
	char *base, *pdir, *lpdir;
	DIR *d;
	struct dirent *de;
	memset(out, 0, sizeof(*out));
	if (!docroot || docroot[0] != '/')
		return;
	base = local(root, docroot);
	d = opendir(base);
	free(base);
	if (!d)
		return;
	closedir(d);
	out->readable = 1;
	out->wordpress = wp_version(root, docroot);
	pdir = xasprintf("%s/wp-content/plugins", docroot);
	lpdir = local(root, pdir);
	if ((d = opendir(lpdir))) {
		if (!out->wordpress)
			out->wordpress = xstrdup("");	/* wp-content without version.php */
		while ((de = readdir(d))) {
			char *sub;
			if (de->d_name[0] == '.')
				continue;
			sub = xasprintf("%s/%s", pdir, de->d_name);
			plugin_dir(out, root, sub, de->d_name, c);
			free(sub);
		}
		closedir(d);
	}
	/* readdir's order is the file system's: report in a stable one */
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && strcmp(out->p[j - 1].name, out->p[j].name) > 0; j--) {
			struct plugin_found t = out->p[j];
			out->p[j] = out->p[j - 1];
			out->p[j - 1] = t;
		}
	free(pdir);
	free(lpdir);
}

void plugins_release(struct plugins *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->p[i].name);
		free(p->p[i].version);
		free(p->p[i].file);
	}
	free(p->p);
	free(p->wordpress);
	memset(p, 0, sizeof(*p));
}

static int sends(const struct plugin_found *pf, const struct catalog *c, const struct callback *cb)
{
	const struct plugin_info *pi = callback_plugin(c, cb);
	/* the catalogue says which plugin a callback's versions are of */
	if (pi && pi->slug)
		return !strcasecmp(pi->slug, pf->slug) &&
		       (!version_valid(pf->version) || callback_sent_by(cb, pf->version));
	for (const char *const *id = pf->ids; *id; id++)
		if (!strcmp(cb->plugin, *id))
			return !version_valid(pf->version) || callback_sent_by(cb, pf->version);
	return 0;
}

size_t plugins_callbacks(const struct plugins *p, const struct catalog *c, const char ***out)
{
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < p->n; k++)
			if (sends(&p->p[k], c, &c->cbs[i])) {
				*out = xrealloc(*out, (n + 1) * sizeof(**out));
				(*out)[n++] = c->cbs[i].name;
				break;
			}
	return n;
}

void plugins_describe(const struct plugins *p, const struct catalog *c, const char *docroot,
		      struct strbuf *out)
{
	if (!docroot) {
		strbuf_addstr(out, "no document root configured: every callback audited");
		return;
	}
	if (!p->readable) {
		strbuf_addf(out, "document root %s not readable: every callback audited", docroot);
		return;
	}
	if (!p->n) {
		strbuf_addstr(out, p->wordpress ? "WordPress, no payment plugin found" : "no payment plugin found");
		return;
	}
	for (size_t k = 0; k < p->n; k++) {
		const char *name = p->p[k].name;
		const char *suffix = strstr(name, " for WooCommerce");
		size_t len = suffix ? (size_t)(suffix - name) : strlen(name), ncb = 0;
		strbuf_addf(out, "%s%.*s %s: ", k ? "; " : "", (int)len, name,
			    *p->p[k].version ? p->p[k].version : "(no Version: header)");
		for (size_t i = 0; i < c->n; i++)
			if (sends(&p->p[k], c, &c->cbs[i]))
				strbuf_addf(out, "%s%s", ncb++ ? ", " : "", c->cbs[i].name);
		if (!ncb)
			strbuf_addstr(out, "no callback in the catalogue");
	}
}

int plugins_for_host(const char *root, const char *docroot, const struct catalog *c, int need_wordpress,
		     char **desc, const char ***names, size_t *n)
{
	struct plugins pl;
	struct strbuf d = STRBUF_INIT;
	int readable;
	plugins_detect(root, docroot, c, &pl);
	if (need_wordpress && pl.readable && !pl.wordpress) {
		pl.readable = 0;
		strbuf_addstr(&d, "no WordPress in the document root: every callback audited");
	} else {
		plugins_describe(&pl, c, docroot, &d);
	}
	*desc = strbuf_detach(&d, NULL);
	*names = NULL;
	*n = 0;
	readable = pl.readable;
	if (readable)
		*n = plugins_callbacks(&pl, c, names);
	plugins_release(&pl);
	return readable;
}
