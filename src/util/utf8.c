#include "utf8.h"

#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong, surrogates, past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void utf8_json_escape(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n) {
		size_t k = utf8_seq(p, n);
		if (k) {
			strbuf_add(out, (const char *)p, k);
		} else {
			strbuf_addf(out, "\\u%04x", *p);
			k = 1;
		}
		p += k;
		n -= k;
	}
}

void one_line(struct strbuf *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), used = 0;
	while (n && used < max) {
		size_t k = utf8_seq(p, n);
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			if (used && out->buf[out->len - 1] != ' ')
				strbuf_addch(out, ' '), used++;
			k = 1;
		} else if (k) {
			strbuf_add(out, (const char *)p, k);
			used += k;
		} else {
			strbuf_addf(out, "\\x%02x", *p);
			used += 4;
			k = 1;
		}
		p += k;
		n -= k;
	}
	while (out->len && out->buf[out->len - 1] == ' ' && !n)
		out->buf[--out->len] = '\0';
	if (n)
		strbuf_addf(out, "... (%zu more characters)", n);
}
