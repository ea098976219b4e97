/*
 * discover: find the web server, its ModSecurity setup and rule sets under
 * a root (/ or --root DIR), from the documented layouts: cPanel
 * EasyApache 4, Plesk, Debian/Ubuntu Apache, RHEL Apache (with standalone
 * Comodo CWAF), nginx with ModSecurity-nginx, LiteSpeed (reads Apache's).
 */
#ifndef MCA_DISCOVER_H
#define MCA_DISCOVER_H

#include <stddef.h>
#include "util/strbuf.h"

struct found {
	const char *layout;	/* "cPanel EasyApache 4", "Debian/Ubuntu Apache", ... */
	const char *config;	/* the server's path of its main configuration */
	int engine_v2;		/* the engine that layout runs */
	char *vendors;		/* rule sets seen: "OWASP CRS, Comodo WAF" */
};

/* Look under `root` (NULL = /). Returns how many were found (*out malloc'd). */
size_t discover(const char *root, struct found **out);
void found_free(struct found *f, size_t n);

#endif
