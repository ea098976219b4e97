/*
 * attack: malicious variants of the audited callbacks, to prove an
 * exclusion is no wider than it says.
 *
 * For every audited request: SQL injection and XSS in the Klarna order id,
 * in the query and in the JSON body. Elsewhere: the callback's own query on
 * /wp-login.php (session fixation on a path that is not a callback), the
 * payloads on /wp-login.php and /?s=, and path-confusion URLs
 * (/wc-api/NAME/%3f/../../wp-login.php, CVE-2024-1019) that look like the
 * callback to a careless scope. audit.c runs each with and without the
 * exclusions and reports what is still caught, what protection an
 * exclusion removes on its own path, and what leaks beyond it.
 */
#ifndef MCA_ATTACK_H
#define MCA_ATTACK_H

#include "catalog.h"
#include "request.h"

struct attack {
	char *name;			/* "sqli in order id (query) kco-push [path]" */
	const struct callback *cb;	/* the callback it imitates on its own path, NULL elsewhere */
	struct request req;
	struct response resp;
};

struct attack_case {			/* what attacks are built from */
	const struct callback *cb;
	enum url_form form;
	const struct request *req;
	const struct response *resp;
};

/* Build the attacks for these cases; `order_id` is the Klarna order id the
 * requests carry. Returns the count; *out is malloc'd (attacks_free). */
size_t attacks_build(const struct attack_case *cases, size_t n, const char *order_id,
		     struct attack **out);
void attacks_free(struct attack *a, size_t n);

#endif
