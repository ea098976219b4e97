/*
 * engine_v2json: JSON bodies named as ModSecurity 2 names them, inside a
 * libmodsecurity 3.0.9 transaction (the one C++ file: the C API cannot add
 * arguments).
 *
 * Called by engine_run() after the body is appended, before phase 2, when the audit
 * emulates ModSecurity 2 (ruleset engine_v2). When phase 1 chose the JSON
 * processor (ctl:requestBodyProcessor=JSON) for a body of unknown type
 * (neither urlencoded nor multipart), the body parses without error within
 * SecRequestBodyJsonDepthLimit and SecRequestBodyNoFilesLimit, it adds the
 * body's arguments with mod_security2's names (jsonargs_v2.h) through
 * Transaction::addArgument and switches libmodsecurity's own JSON parser
 * off for the transaction, so phase 2 sees ARGS "order_lines.order_lines.type"
 * where libmodsecurity would say "json.order_lines.array_0.type" (and
 * REQBODY_ERROR 0, as a parsed body has). Any other body is left to
 * libmodsecurity (errors included): its verdicts there are the same.
 */
#ifndef MCA_ENGINE_V2JSON_H
#define MCA_ENGINE_V2JSON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `t` is libmodsecurity's Transaction, its body appended (the body it
 * kept is parsed). Returns 1 when the arguments were added the v2 way, 0
 * when libmodsecurity parses the body itself. */
int engine_v2json_args(void *t);

#ifdef __cplusplus
}
#endif

#endif
