#include "discover.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int there(const char *root, const char *path)
{
	struct stat st;
	char *p = xasprintf("%s%s", root ? root : "", path);
	int ok = stat(p, &st) == 0;
	free(p);
	return ok;
}

static int any(const char *root, const char *pattern)
{
	glob_t g;
	char *p = xasprintf("%s%s", root ? root : "", pattern);
	int ok = glob(p, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	free(p);
	return ok;
}

static char *vendors(const char *root)
{
	struct strbuf sb = STRBUF_INIT;
	if (there(root, "/usr/share/modsecurity-crs") || any(root, "/etc/apache2/conf.d/modsec_vendor_configs/OWASP*") ||
	    any(root, "/etc/apache2/modsecurity.d/rules/*crs*"))
		strbuf_addstr(&sb, "OWASP CRS");
	if (any(root, "/etc/apache2/conf.d/modsec_vendor_configs/comodo*") || there(root, "/usr/local/cwaf") ||
	    any(root, "/etc/apache2/modsecurity.d/rules/comodo*"))
		strbuf_addf(&sb, "%sComodo WAF", sb.len ? ", " : "");
	if (!sb.len)
		strbuf_addstr(&sb, "none recognised");
	return strbuf_detach(&sb, NULL);
}

size_t discover(const char *root, struct found **out)
{
	static const struct { const char *marker, *config, *layout; int v2; } known[] = {
		{ "/usr/local/cpanel", "/etc/apache2/conf/httpd.conf", "cPanel EasyApache 4 (Apache + mod_security2)", 1 },
		{ "/etc/apache2/conf/httpd.conf", "/etc/apache2/conf/httpd.conf", "cPanel EasyApache 4 (Apache + mod_security2)", 1 },
		{ "/etc/apache2/modsecurity.d", "/etc/apache2/apache2.conf", "Plesk (Apache + mod_security2)", 1 },
		{ "/etc/apache2/apache2.conf", "/etc/apache2/apache2.conf", "Debian/Ubuntu Apache + mod_security2", 1 },
		{ "/etc/httpd/conf/httpd.conf", "/etc/httpd/conf/httpd.conf", "RHEL Apache + mod_security2", 1 },
		{ "/etc/nginx/nginx.conf", "/etc/nginx/nginx.conf", "nginx + ModSecurity-nginx (libmodsecurity 3)", 0 },
	};
	struct found *f = NULL;
	size_t n = 0;
	int lsws = there(root, "/usr/local/lsws");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int dup = 0;
		if (!there(root, known[i].marker) || !there(root, known[i].config))
			continue;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(f[k].config, known[i].config))
				dup = 1;
		if (dup)
			continue;
		f = xrealloc(f, (n + 1) * sizeof(*f));
		f[n].layout = known[i].layout;
		if (lsws && known[i].v2)
			f[n].layout = "LiteSpeed (reads the Apache configuration, ModSecurity-2 compatible engine)";
		f[n].config = known[i].config;
		f[n].engine_v2 = known[i].v2;
		f[n].vendors = vendors(root);
		n++;
	}
	*out = f;
	return n;
}

void found_free(struct found *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].vendors);
	free(f);
}
