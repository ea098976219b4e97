/*
 * ftw_template: evaluation of go-ftw's data templates (ftw_template.h).
 */
#include "ftw_template.h"

#include <ctype.h>
#include <string.h>

static const char *tpl_skip(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* One argument: a quoted string (Go escapes \n \t \" \\) or a number. */
static int tpl_arg(const char **pp, const char *e, struct strbuf *s, long *num, int *is_num)
{
	const char *p = tpl_skip(*pp, e);
	*is_num = 0;
	if (p < e && *p == '"') {
		for (p++; p < e && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < e) {
				p++;
				strbuf_addch(s, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p);
			} else {
				strbuf_addch(s, *p);
			}
		}
		if (p >= e)
			return -1;
		*pp = p + 1;
		return 0;
	}
	if (p < e && isdigit((unsigned char)*p)) {
		*num = 0;
		while (p < e && isdigit((unsigned char)*p) && *num < 100000000)
			*num = *num * 10 + (*p++ - '0');
		*is_num = 1;
		*pp = p;
		return 0;
	}
	return -1;
}

/* One action's pipeline, e.g. `"1" | repeat 3` or `repeat 3 "1"`. */
static int tpl_action(const char *p, const char *e, struct strbuf *out)
{
	struct strbuf val = STRBUF_INIT, arg = STRBUF_INIT;
	int have = 0, ret = -1;
	for (;;) {
		p = tpl_skip(p, e);
		if (p + 6 <= e && !memcmp(p, "repeat", 6) && (p + 6 == e || p[6] == ' ')) {
			long count = 0;
			int isn;
			p += 6;
			if (tpl_arg(&p, e, &arg, &count, &isn) < 0 || !isn)
				goto out;
			strbuf_reset(&arg);
			if (!have) {
				long dummy;
				if (tpl_arg(&p, e, &val, &dummy, &isn) < 0 || isn)
					goto out;
			}
			if (count * (long)(val.len + 1) > 64L * 1024 * 1024)
				goto out;	/* a bound on what a test may ask for */
			strbuf_add(&arg, val.buf, val.len);
			strbuf_reset(&val);
			for (long i = 0; i < count; i++)
				strbuf_add(&val, arg.buf, arg.len);
			strbuf_reset(&arg);
			have = 1;
		} else if (!have) {
			long num;
			int isn;
			if (tpl_arg(&p, e, &val, &num, &isn) < 0)
				goto out;
			if (isn)
				strbuf_addf(&val, "%ld", num);
			have = 1;
		} else {
			goto out;
		}
		p = tpl_skip(p, e);
		if (p == e)
			break;
		if (*p != '|')
			goto out;
		p++;
	}
	strbuf_add(out, val.buf, val.len);
	ret = 0;
out:
	strbuf_release(&val);
	strbuf_release(&arg);
	return ret;
}

/* Expand `in`; -1 when Go would fail (go-ftw then sends no body). */
int ftw_template_expand(const char *in, size_t len, struct strbuf *out)
{
	const char *p = in, *e = in + len;
	while (p < e) {
		const char *open = memmem(p, (size_t)(e - p), "{{", 2), *close, *a, *b, *text_end;
		if (!open) {
			strbuf_add(out, p, (size_t)(e - p));
			break;
		}
		close = memmem(open + 2, (size_t)(e - open - 2), "}}", 2);
		if (!close)
			return -1;
		a = open + 2;
		b = close;
		text_end = open;
		if (b - a >= 2 && a[0] == '-' && a[1] == ' ') {	/* {{- trims before */
			a++;
			while (text_end > p && isspace((unsigned char)text_end[-1]))
				text_end--;
		}
		strbuf_add(out, p, (size_t)(text_end - p));
		p = close + 2;
		if (b - a >= 2 && b[-1] == '-' && b[-2] == ' ') {	/* -}} trims after */
			b--;
			while (p < e && isspace((unsigned char)*p))
				p++;
		}
		if (tpl_action(a, b, out) < 0)
			return -1;
	}
	return 0;
}
