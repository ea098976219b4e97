/*
 * ftw_template: go-ftw's `data` templates.
 *
 * go-ftw runs `data` through Go's text/template with sprig's functions
 * (CRS 4 writes `{{ "1" | repeat 64200 }}`). The part of that language
 * test data uses is evaluated here: string and number literals, pipes,
 * and repeat, with {{- and -}} trimming. Anything else fails, and go-ftw
 * sends no body when its template fails to parse or run, so the caller
 * sends none either. Output is bounded (64 MiB per repeat).
 */
#ifndef MCA_FTW_TEMPLATE_H
#define MCA_FTW_TEMPLATE_H

#include <stddef.h>
#include "util/strbuf.h"

/* Expand [in, in+len) onto `out`; -1 when Go would fail (`out` then
 * holds a partial expansion the caller discards). */
int ftw_template_expand(const char *in, size_t len, struct strbuf *out);

#endif
