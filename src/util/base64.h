/*
 * base64: decoding only (ftw's encoded_data and encoded_request, albedo's
 * encodedBody).
 *
 * base64_decode accepts the standard alphabet with or without padding, and ignores
 * whitespace (YAML folds long values). The URL-safe alphabet ('-', '_')
 * is accepted too.
 */
#ifndef MCA_BASE64_H
#define MCA_BASE64_H

#include "strbuf.h"

/* Append the decoded bytes of `s` to `out`. Returns 0, or -1 when `s` is
 * not base64 (out is then left as it was). */
int base64_decode(const char *s, struct strbuf *out);

/* The same as Go's base64.StdEncoding.DecodeString (go-ftw's decoder):
 * padding required, only CR and LF skipped. -1 with *bad_at, the offset
 * Go's error names ("illegal base64 data at input byte N"). */
int base64_decode_std(const char *s, struct strbuf *out, size_t *bad_at);

#endif
