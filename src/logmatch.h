/*
 * logmatch: which catalogue callback a logged request is, which orders it
 * concerns, and whether it went to a payment endpoint at all.
 *
 * A callback matches by
 *   - method, when the log recorded it (Apache's error log does not);
 *   - path, in any URL form WooCommerce accepts: /wc-api/X/, /wc-api/X,
 *     /index.php/wc-api/X/, /?wc-api=X (X case-insensitive, as WooCommerce
 *     lowercases it), under a subdirectory too (/shop/wc-api/X/); REST
 *     routes also as /?rest_route=/route; {{placeholders}} match one
 *     path segment;
 *   - the sender's User-Agent, when the log recorded the headers
 *     ({{placeholders}} match anything).
 * Callbacks sharing an endpoint (the push's variants) are told apart by
 * their query's parameter names and literal values and by Content-Type;
 * the closest wins, the first in catalogue order on a tie.
 */
#ifndef MCA_LOGMATCH_H
#define MCA_LOGMATCH_H

#include "catalog.h"
#include "logrec.h"

/* The callback `r` is (NULL for none) and its URL form. */
const struct callback *logmatch_callback(const struct catalog *c, const struct logrec *r,
					 enum url_form *form);

/* Is this URI a payment endpoint (wc-api in any form, a payment plugin's
 * REST route, WooCommerce's Store API checkout)? */
int logmatch_payment_uri(const char *uri);

/* The order ids in `r`: query and form parameters (kco_wc_order_id,
 * order_id, kco_order_id, klarna_order_id), a JSON body's order_id and
 * kco_order_id, and the path segments of `cb`'s {{klarna_order_id}} and
 * {{wc_order_id}}. `add` is called once per id found (duplicates
 * possible). */
void logmatch_order_ids(const struct logrec *r, const struct callback *cb,
			void (*add)(void *ctx, const char *id), void *ctx);

/* The value of query (or form) parameter `name` in `qs`, decoded, malloc'd. */
char *query_param(const char *qs, size_t len, const char *name);

#endif
