#include "logrec.h"
#include "errorlog.h"
#include "logline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *logkind_name(enum logkind k)
{
	static const char *const n[] = { "native audit log", "JSON audit log", "error log",
					  "concurrent audit log index" };
	return n[k];
}

void logrec_init(struct logrec *r, enum logkind kind, const char *file, long line)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->file = file;
	r->line = line;
	request_init(&r->req);
}

void logrec_release(struct logrec *r)
{
	request_release(&r->req);
	free(r->unique_id);
	for (size_t i = 0; i < r->nmsgs; i++)
		free(r->msgs[i].msg);
	free(r->msgs);
	memset(r, 0, sizeof(*r));
}

void logrec_add_msg(struct logrec *r, long id, const char *msg, int disruptive)
{
	ARRAY_PUSH(r->msgs, r->nmsgs, r->amsgs);
	r->msgs[r->nmsgs].id = id;
	r->msgs[r->nmsgs].msg = xstrdup(msg ? msg : "");
	r->msgs[r->nmsgs].disruptive = disruptive;
	r->nmsgs++;
	if (disruptive)
		r->intercepted = 1;
}

int logrec_add_line(struct logrec *r, const char *text)
{
	char *v3 = errorlog_v2_to_v3(text);
	struct match m;
	int ret = -1;
	if (logline_parse(v3, &m) == 0) {
		logrec_add_msg(r, m.id, m.msg, m.disruptive);
		if (m.disruptive && m.status && !r->status)
			r->status = m.status;
		match_release(&m);
		ret = 0;
	}
	free(v3);
	return ret;
}

static int month_of(const char *s)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (!strncmp(s, m + 3 * i, 3))
			return i;
	return -1;
}

static long long from_tm(struct tm *tm, int has_zone, long zone_sec)
{
	time_t t;
	tm->tm_isdst = -1;
	if (has_zone) {
		t = timegm(tm);
		return t == (time_t)-1 ? -1 : (long long)t - zone_sec;
	}
	t = mktime(tm);
	return t == (time_t)-1 ? -1 : (long long)t;
}

/* The zone after an audit log's time, in seconds east of UTC. mod_security2
 * prints it as sign, then "%.2d" of the hours and of the minutes, each a
 * signed number: west of UTC the hours bring their own minus, "--0400",
 * and half hours a second one, "--03-30" (2.9.8 still does); 2.5 printed
 * the seconds past the hour where the minutes go ("+051800", "--03-1800").
 * libmodsecurity 3 and Apache write "+0100"/"-0400". */
static int zone_offset(const char *z, long *off)
{
	int neg, hh, rest = 0, digits = 0;
	if (*z != '+' && *z != '-')
		return -1;
	neg = *z++ == '-';
	if (*z == '-')
		z++;	/* the hours' own sign */
	if (!isdigit((unsigned char)z[0]) || !isdigit((unsigned char)z[1]))
		return -1;
	hh = (z[0] - '0') * 10 + (z[1] - '0');
	z += 2;
	if (*z == '-')
		z++;	/* the minutes' own sign */
	while (isdigit((unsigned char)*z) && digits < 6) {
		rest = rest * 10 + (*z++ - '0');
		digits++;
	}
	if ((digits != 2 && digits != 4) || hh > 14)
		return -1;
	*off = hh * 3600L + (digits == 2 ? rest * 60L : (long)rest);
	if (neg)
		*off = -*off;
	return 0;
}

long long logtime_apache(const char *s)
{
	struct tm tm;
	int d, y, H, M, S, mon, n = 0;
	char mname[4];
	const char *z;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%2d/%3[A-Za-z]/%4d:%2d:%2d:%2d%n", &d, mname, &y, &H, &M, &S, &n) != 6 || !n)
		return -1;
	if ((mon = month_of(mname)) < 0)
		return -1;
	tm.tm_mday = d, tm.tm_mon = mon, tm.tm_year = y - 1900;
	tm.tm_hour = H, tm.tm_min = M, tm.tm_sec = S;
	z = s + n;
	if (*z == '.')
		z += 1 + strspn(z + 1, "0123456789");
	if (*z == ' ') {
		long off;
		if (zone_offset(z + 1, &off) == 0)
			return from_tm(&tm, 1, off);
	}
	return from_tm(&tm, 0, 0);
}

long long logtime_ctime(const char *s)
{
	struct tm tm;
	char wd[4], mname[4];
	int d, H, M, S, y, n = 0, mon;
	const char *p;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%3s %3s %d %2d:%2d:%2d%n", wd, mname, &d, &H, &M, &S, &n) != 6 || !n)
		return -1;
	if ((mon = month_of(mname)) < 0)
		return -1;
	p = s + n;
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	if (sscanf(p, " %4d", &y) != 1)
		return -1;
	tm.tm_mday = d, tm.tm_mon = mon, tm.tm_year = y - 1900;
	tm.tm_hour = H, tm.tm_min = M, tm.tm_sec = S;
	return from_tm(&tm, 0, 0);
}

long long logtime_nginx(const char *s)
{
	struct tm tm;
	int y, mo, d, H, M, S;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d/%2d/%2d %2d:%2d:%2d", &y, &mo, &d, &H, &M, &S) != 6)
		return -1;
	tm.tm_mday = d, tm.tm_mon = mo - 1, tm.tm_year = y - 1900;
	tm.tm_hour = H, tm.tm_min = M, tm.tm_sec = S;
	return from_tm(&tm, 0, 0);
}

long long logtime_iso(const char *s)
{
	struct tm tm;
	int y, mo, d, H = 0, M = 0, S = 0, n = 0;
	const char *p;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &H, &M, &m) != 2 || m != 5)
			return -1;
		p += 1 + m;
		if (*p == ':') {
			if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
				return -1;
			S = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || H > 23 || M > 59 || S > 60)
		return -1;
	tm.tm_mday = d, tm.tm_mon = mo - 1, tm.tm_year = y - 1900;
	tm.tm_hour = H, tm.tm_min = M, tm.tm_sec = S;
	if (*p == 'Z' && !p[1])
		return from_tm(&tm, 1, 0);
	if (*p)
		return -1;
	return from_tm(&tm, 0, 0);
}
