/*
 * base64: decoding only (ftw's encoded_data and encoded_request).
 *
 * Accepts the standard alphabet with or without padding, and ignores
 * whitespace (YAML folds long values). The URL-safe alphabet ('-', '_')
 * is accepted too.
 */
#ifndef MCA_BASE64_H
#define MCA_BASE64_H

#include "strbuf.h"

/* Append the decoded bytes of `s` to `out`. Returns 0, or -1 when `s` is
 * not base64 (out is then left as it was). */
int base64_decode(const char *s, struct strbuf *out);

#endif
