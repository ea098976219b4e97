#include "base64.h"

#include <ctype.h>

static int value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int base64_decode(const char *s, struct strbuf *out)
{
	size_t start = out->len;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	for (; *s; s++) {
		int v;
		if (isspace((unsigned char)*s))
			continue;
		if (*s == '=') {
			pad++;
			continue;
		}
		v = value((unsigned char)*s);
		if (v < 0 || pad)
			goto bad;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addch(out, (int)((acc >> bits) & 0xff));
		}
	}
	/* 6 leftover bits cannot come from a whole byte */
	if (bits >= 6 || pad > 2)
		goto bad;
	return 0;
bad:
	strbuf_setlen(out, start);
	return -1;
}

/* Go's base64.StdEncoding.DecodeString, which go-ftw decodes
 * encoded_request and encoded_data with: the standard alphabet only,
 * padding required, CR and LF skipped (nothing else: a space is an
 * error). On error *bad_at is the input offset Go reports (an illegal
 * byte, or the start of an incomplete last quantum). */
int base64_decode_std(const char *s, struct strbuf *out, size_t *bad_at)
{
	size_t start = out->len, i = 0, qstart = 0;
	unsigned acc = 0;
	int n = 0, pad = 0;

	for (; s[i]; i++) {
		int v;
		char c = s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (!n && !pad)
			qstart = i;
		if (c == '=') {
			/* only as the 3rd and 4th, or the 4th, of the last quantum */
			if (n < 2 || n + pad >= 4)
				goto bad;
			pad++;
			continue;
		}
		if (pad || (v = value((unsigned char)c)) < 0 || c == '-' || c == '_')
			goto bad;
		acc = (acc << 6) | (unsigned)v;
		if (++n == 4) {
			strbuf_addch(out, (int)((acc >> 16) & 0xff));
			strbuf_addch(out, (int)((acc >> 8) & 0xff));
			strbuf_addch(out, (int)(acc & 0xff));
			n = 0;
			acc = 0;
		}
	}
	if (pad) {
		if (n + pad != 4) {
			i = qstart;
			goto bad;
		}
		if (n == 2)
			strbuf_addch(out, (int)((acc >> 4) & 0xff));
		else {
			strbuf_addch(out, (int)((acc >> 10) & 0xff));
			strbuf_addch(out, (int)((acc >> 2) & 0xff));
		}
	} else if (n) {
		i = qstart;
		goto bad;
	}
	return 0;
bad:
	*bad_at = i;
	strbuf_setlen(out, start);
	return -1;
}
