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
