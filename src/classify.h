/*
 * classify: what a live server's answer to a callback means.
 *
 *   passed   the application answered: 2xx, 3xx (the validation callback's
 *            deny-and-redirect is an answer), or WooCommerce's 400 "-1" for
 *            an endpoint no plugin registered
 *   blocked  a firewall answered; `blocker` names which, `evidence` why;
 *            "unknown" when the answer names none (a bare 403 is also what
 *            nginx gives for a forbidden directory index): only the answer
 *            or the error log may say ModSecurity
 *   error    no HTTP answer (DNS, connection, TLS, timeout)
 *   other    an answer that is neither (404, 500, ...): reported, counted
 *            as not passing
 *
 * Signatures (headers and block pages) come first, so a Wordfence 403 is
 * Wordfence and not ModSecurity. Only status, headers and body are used:
 * no network. Pure functions; the strings returned are static.
 */
#ifndef MCA_CLASSIFY_H
#define MCA_CLASSIFY_H

#include "http.h"

enum probe_verdict { PV_PASSED, PV_BLOCKED, PV_ERROR, PV_OTHER };

struct classification {
	enum probe_verdict verdict;
	const char *blocker;	/* "modsecurity", "litespeed", "imunify360", "wordfence",
				   "cloudflare", "sucuri", "unknown"; NULL unless blocked */
	const char *evidence;	/* one line */
};

void classify_answer(const struct http_answer *a, struct classification *c);
const char *probe_verdict_name(enum probe_verdict v);

#endif
