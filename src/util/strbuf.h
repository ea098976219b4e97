/*
 * strbuf: a growable byte buffer (after git's strbuf).
 *
 * Invariants: `buf` is never NULL and always NUL-terminated, so it can be
 * used as a C string at any time; `len` counts the bytes before that NUL.
 * A strbuf may hold NUL bytes itself (request bodies do); use `len` then.
 *
 * Life cycle: initialise with STRBUF_INIT or strbuf_init(); release with
 * strbuf_release(), after which the strbuf is empty and reusable.
 * strbuf_detach() hands the buffer to the caller (free() it) and empties sb.
 *
 * Allocation failure aborts the process: this is a command-line tool and
 * has nothing useful to do without memory.
 */
#ifndef MCA_STRBUF_H
#define MCA_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_empty[];
#define STRBUF_INIT { 0, 0, strbuf_empty }

/* life cycle */
void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* size */
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb) { strbuf_setlen(sb, 0); }

/* adding data */
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* helpers for plain C strings, abort on allocation failure */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow a dynamic array `p` of `n` used elements to hold one more. */
#define ARRAY_PUSH(p, n, alloc) do { \
	if ((n) + 1 > (alloc)) { \
		(alloc) = (alloc) ? (alloc) * 2 : 8; \
		(p) = xrealloc((p), (alloc) * sizeof(*(p))); \
	} \
} while (0)

#endif
