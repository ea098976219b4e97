/*
 * readiness: what must hold before a provider's callbacks can reach a shop
 * at all, checked on the live site by `probe` before it sends callbacks.
 *
 *   https            the site answers over https with a certificate that
 *                    validates (always verified, even with --insecure)
 *   http-redirect    http:// answers with a redirect to https://
 *   permalinks       GET /wc-api/<unknown>/ reaches WooCommerce (its "-1"
 *                    with 400 or 200) rather than a 404 page
 *   no-lang-redirect /wc-api/... is not redirected (a multilingual plugin
 *                    sending it to /<lang>/wc-api/...: a redirected POST
 *                    loses its body)
 *   public-address   the host name resolves, and only to public addresses
 *
 * Each check ends with a verdict and the evidence (what was sent, what
 * answered). Requests are GETs without a body and carry the probe's marker
 * header; nothing else is sent. A readiness owns its strings.
 */
#ifndef MCA_READINESS_H
#define MCA_READINESS_H

#include <stddef.h>
#include "http.h"
#include "util/strbuf.h"

enum rd_check { RD_HTTPS, RD_HTTP_REDIRECT, RD_PERMALINKS, RD_LANG, RD_PUBLIC, RD_NCHECKS };
enum rd_verdict { RD_NOT_RUN, RD_PASS, RD_FAIL, RD_SKIP };

#define RD_ALL ((1u << RD_NCHECKS) - 1)

/* The unknown wc-api endpoint the permalink check asks for. */
#define RD_WC_API_NAME "modsec_callback_audit_check"

struct rd_result {
	enum rd_check check;
	enum rd_verdict verdict;
	char *url;		/* what was asked (NULL for public-address) */
	char *evidence;
};

struct readiness_opts {
	const char *base;	/* the shop's URL, no trailing slash */
	const char *host;	/* Host header for the requests */
	const char *dns_host;	/* the name the provider resolves */
	const char *http_url;	/* NULL = derived from base when it can be */
	struct http_opts http;
	unsigned checks;	/* bit set of enum rd_check */
	int dry_run;		/* plan only: urls, no verdicts */
};

struct readiness {
	struct rd_result *r;
	size_t n;
};

const char *rd_check_name(enum rd_check c);
const char *rd_verdict_name(enum rd_verdict v);
/* "https,permalinks", "all" or "none" into a bit set; -1 on a bad name. */
int rd_checks_parse(const char *s, unsigned *checks);

/* Run (or with dry_run, plan) the chosen checks. The caller has called
 * http_global_init() unless dry_run. */
void readiness_run(const struct readiness_opts *o, struct readiness *rd);
void readiness_release(struct readiness *rd);
size_t readiness_failed(const struct readiness *rd);

/* Is this numeric address one a provider on the internet can reach?
 * (not loopback, private, link-local, CGNAT, documentation, multicast...) */
int rd_address_is_public(const char *numeric);

#endif
