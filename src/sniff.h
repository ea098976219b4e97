/*
 * sniff: the Content-Type a Go net/http server gives a response that sets
 * none (http.DetectContentType, the WHATWG MIME sniffing algorithm).
 *
 * go-ftw's backend, albedo, is a Go server: a /reflect answer without a
 * Content-Type header gets the sniffed one, and libmodsecurity only reads
 * a response body whose type is in SecResponseBodyMimeType. So the CRS
 * response tests (950xxx-956xxx) only inspect "text/plain; charset=utf-8"
 * bodies because Go sniffed them.
 *
 * The table is Go's, in its order (first match wins), read from its
 * documentation; only the first 512 bytes count. Go sniffs only when the
 * handler set no Content-Type and no Content-Encoding, the status allows
 * a body, and the body is not empty (server_backend applies that rule).
 */
#ifndef MCA_SNIFF_H
#define MCA_SNIFF_H

#include <stddef.h>

/* Never NULL: "application/octet-stream" when nothing matches. */
const char *sniff_content_type(const char *data, size_t len);

#endif
