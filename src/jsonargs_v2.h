/*
 * jsonargs_v2: a JSON request body's arguments as ModSecurity 2 names them.
 *
 * mod_security2 (apache2/msc_json.c, 2.9.7) parses a JSON body with yajl
 * and names each scalar "prefix.key", where the prefix grows by the key of
 * every object and array it enters: {"a":{"b":1}} gives "a.b" (no "json."
 * prefix), an array's members take the array's own key again, so
 * {"order_lines":[{"type":"x"}]} gives "order_lines.order_lines.type" and
 * {"ids":[1,2]} gives "ids.ids" twice; a top-level array is "array.array".
 * libmodsecurity 3 names the same values json.order_lines.array_0.type.
 *
 * Invariant: v2json_args() runs the same yajl callbacks as msc_json.c, with
 * its state machine copied as it is (quirks included: closing an array
 * does not restore the key, closing an object takes the key back from the
 * prefix's last dot), so every name and value, in order, is what
 * mod_security2 puts in ARGS. Values are yajl's: strings unescaped, numbers
 * as written, true/false, null as "".
 */
#ifndef MCA_JSONARGS_V2_H
#define MCA_JSONARGS_V2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*v2json_add_fn)(void *ctx, const char *name, size_t name_len,
			      const char *value, size_t value_len);

/* Parse `body` and call `add` for every argument, in body order.
 * `depth_limit` is SecRequestBodyJsonDepthLimit (0: none). Returns 0, or
 * -1 when yajl refuses the body or it is nested deeper than the limit
 * (arguments already added stay added, as in mod_security2). */
int v2json_args(const char *body, size_t len, long depth_limit, v2json_add_fn add, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
