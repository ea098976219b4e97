#include "sniff.h"

#include <string.h>

/* Go's isWS: the bytes skipped before a tag or "<?xml". */
static int is_ws(unsigned char c)
{
	return c == '\t' || c == '\n' || c == '\x0c' || c == '\r' || c == ' ';
}

/* An HTML tag, matched case-insensitively after leading white space, and
 * followed by a space or '>'. */
static int html_sig(const unsigned char *d, size_t n, const char *tag)
{
	size_t tl = strlen(tag);
	if (n < tl + 1)
		return 0;
	for (size_t i = 0; i < tl; i++) {
		unsigned char b = (unsigned char)tag[i], db = d[i];
		if (b >= 'A' && b <= 'Z')
			db &= 0xDF;
		if (b != db)
			return 0;
	}
	return d[tl] == ' ' || d[tl] == '>';
}

/* The data ANDed with `mask` equals `pat` (both `len` bytes). */
static int masked_sig(const unsigned char *d, size_t n, const char *mask, const char *pat, size_t len)
{
	if (n < len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((d[i] & (unsigned char)mask[i]) != (unsigned char)pat[i])
			return 0;
	return 1;
}

static int exact_sig(const unsigned char *d, size_t n, const char *pat, size_t len)
{
	return n >= len && !memcmp(d, pat, len);
}

/* An ISO base media file whose ftyp box names an "mp4" brand. */
static int mp4_sig(const unsigned char *d, size_t n)
{
	size_t box;
	if (n < 12)
		return 0;
	box = (size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3];
	if (n < box || box % 4 || memcmp(d + 4, "ftyp", 4))
		return 0;
	for (size_t st = 8; st < box; st += 4) {
		if (st == 12)
			continue;	/* the minor version */
		if (!memcmp(d + st, "mp4", 3))
			return 1;
	}
	return 0;
}

/* No byte that only binary data has. */
static int text_sig(const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = d[i];
		if (b <= 0x08 || b == 0x0B || (b >= 0x0E && b <= 0x1A) || (b >= 0x1C && b <= 0x1F))
			return 0;
	}
	return 1;
}

#define EXACT(p, ct) { 'e', p, NULL, sizeof(p) - 1, ct }
#define MASKED(m, p, ct) { 'm', p, m, sizeof(p) - 1, ct }

static const struct sig {
	char kind;		/* 'e' exact, 'm' masked */
	const char *pat, *mask;
	size_t len;
	const char *ct;
} binary_sigs[] = {
	EXACT("%PDF-", "application/pdf"),
	EXACT("%!PS-Adobe-", "application/postscript"),
	/* byte order marks */
	MASKED("\xFF\xFF\x00\x00", "\xFE\xFF\x00\x00", "text/plain; charset=utf-16be"),
	MASKED("\xFF\xFF\x00\x00", "\xFF\xFE\x00\x00", "text/plain; charset=utf-16le"),
	MASKED("\xFF\xFF\xFF\x00", "\xEF\xBB\xBF\x00", "text/plain; charset=utf-8"),
	/* images */
	EXACT("\x00\x00\x01\x00", "image/x-icon"),
	EXACT("\x00\x00\x02\x00", "image/x-icon"),
	EXACT("BM", "image/bmp"),
	EXACT("GIF87a", "image/gif"),
	EXACT("GIF89a", "image/gif"),
	MASKED("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF", "RIFF\x00\x00\x00\x00WEBPVP", "image/webp"),
	EXACT("\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
	EXACT("\xFF\xD8\xFF", "image/jpeg"),
	/* audio and video (mp4 is matched after these, then webm) */
	MASKED("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", "FORM\x00\x00\x00\x00" "AIFF", "audio/aiff"),
	MASKED("\xFF\xFF\xFF", "ID3", "audio/mpeg"),
	MASKED("\xFF\xFF\xFF\xFF\xFF", "OggS\x00", "application/ogg"),
	MASKED("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", "MThd\x00\x00\x00\x06", "audio/midi"),
	MASKED("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", "RIFF\x00\x00\x00\x00" "AVI ", "video/avi"),
	MASKED("\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF", "RIFF\x00\x00\x00\x00WAVE", "audio/wave"),
	{ '4', NULL, NULL, 0, "video/mp4" },
	EXACT("\x1A\x45\xDF\xA3", "video/webm"),
	/* fonts: 34 zero bytes (any value), then "LP" */
	MASKED("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF",
	       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00LP",
	       "application/vnd.ms-fontobject"),
	EXACT("\x00\x01\x00\x00", "font/ttf"),
	EXACT("OTTO", "font/otf"),
	EXACT("ttcf", "font/collection"),
	EXACT("wOFF", "font/woff"),
	EXACT("wOF2", "font/woff2"),
	/* archives */
	EXACT("\x1F\x8B\x08", "application/x-gzip"),
	EXACT("PK\x03\x04", "application/zip"),
	EXACT("Rar!\x1A\x07\x00", "application/x-rar-compressed"),
	EXACT("Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
	EXACT("\x00\x61\x73\x6D", "application/wasm"),
};

static const char *const html_tags[] = {
	"<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT",
	"<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--",
};

const char *sniff_content_type(const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	size_t n = len > 512 ? 512 : len, ws = 0;

	while (ws < n && is_ws(d[ws]))
		ws++;
	for (size_t i = 0; i < sizeof(html_tags) / sizeof(html_tags[0]); i++)
		if (html_sig(d + ws, n - ws, html_tags[i]))
			return "text/html; charset=utf-8";
	if (masked_sig(d + ws, n - ws, "\xFF\xFF\xFF\xFF\xFF", "<?xml", 5))
		return "text/xml; charset=utf-8";
	for (size_t i = 0; i < sizeof(binary_sigs) / sizeof(binary_sigs[0]); i++) {
		const struct sig *s = &binary_sigs[i];
		if (s->kind == 'e' ? exact_sig(d, n, s->pat, s->len)
		    : s->kind == 'm' ? masked_sig(d, n, s->mask, s->pat, s->len)
		    : mp4_sig(d, n))
			return s->ct;
	}
	if (text_sig(d + ws, n - ws))
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}
