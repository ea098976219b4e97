/*
 * utf8: text from rule files and requests reaches reports as it is, and
 * rule files are often Latin-1. JSON must be UTF-8, so invalid bytes are
 * escaped (utf8_json_escape); error lines are one readable line.
 */
#ifndef MCA_UTF8_H
#define MCA_UTF8_H

#include <stddef.h>
#include "strbuf.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* Append `s` to `out`, each byte that is not valid UTF-8 as \u00XX (its
 * Latin-1 reading). Meant for printed JSON: such bytes only occur inside
 * its strings, where \u00XX is a valid escape. */
void utf8_json_escape(struct strbuf *out, const char *s);
/* Append `s` as one line of at most `max` bytes: newlines and tabs become
 * spaces, invalid UTF-8 bytes \xNN, and the end is cut with "... (N more
 * characters)". The start (file:line: of an error) is always kept. */
void one_line(struct strbuf *out, const char *s, size_t max);

#endif
