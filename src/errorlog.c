#include "errorlog.h"
#include "logline.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *corr_name(enum corr c)
{
	static const char *const n[] = { "none", "marker", "uri", "ambiguous" };
	return n[c];
}

int errorlog_open(struct errorlog *el, const char *path, int settle_ms, struct strbuf *err)
{
	memset(el, 0, sizeof(*el));
	el->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (el->fd < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	el->path = xstrdup(path);
	el->settle_ms = settle_ms;
	errorlog_mark(el);
	return 0;
}

void errorlog_close(struct errorlog *el)
{
	if (el->fd >= 0)
		close(el->fd);
	free(el->path);
	memset(el, 0, sizeof(*el));
	el->fd = -1;
}

static off_t size_of(const struct errorlog *el)
{
	struct stat st;
	return fstat(el->fd, &st) == 0 ? st.st_size : 0;
}

void errorlog_mark(struct errorlog *el)
{
	el->mark = size_of(el);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait until the log has not grown for settle_ms (at most 2 s). */
static off_t settle(const struct errorlog *el)
{
	off_t last = size_of(el);
	int quiet = 0, waited = 0;
	while (quiet < el->settle_ms && waited < 2000) {
		off_t now;
		sleep_ms(10);
		waited += 10;
		now = size_of(el);
		if (now != last) {
			last = now;
			quiet = 0;
		} else {
			quiet += 10;
		}
	}
	return last;
}

/* The last place in [s, limit) where `pat` starts, or NULL. One pass with
 * no search call per occurrence: a logged attacker string may repeat a
 * pattern thousands of times (issue 13: 17 s for two 320 KB lines). */
static const char *last_of(const char *s, const char *limit, const char *pat)
{
	size_t n = strlen(pat);
	const char *last = NULL;
	for (const char *p = s; *p && (!limit || p < limit); p++)
		if (*p == pat[0] && !strncmp(p, pat, n))
			last = p;
	return last;
}

char *errorlog_field(const char *line, const char *key)
{
	char *pat = xasprintf("[%s \"", key);
	const char *hit = last_of(line, NULL, pat), *e;
	e = hit ? strstr(hit + strlen(pat), "\"]") : NULL;
	free(pat);
	if (!e)
		return NULL;
	return xstrndup(hit + strlen(key) + 3, (size_t)(e - hit - strlen(key) - 3));
}

char *uri_decode_path(const char *uri)
{
	size_t n = strcspn(uri, "?");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (uri[i] == '%' && i + 2 < n && isxdigit((unsigned char)uri[i + 1]) &&
		    isxdigit((unsigned char)uri[i + 2])) {
			char hex[3] = { uri[i + 1], uri[i + 2], 0 };
			strbuf_addch(&sb, (int)strtol(hex, NULL, 16));
			i += 2;
		} else {
			strbuf_addch(&sb, uri[i]);
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* " [file \"" of the rule's anchor: the last one followed by a line and
 * then an id field: the last id, the last line before it, the last file
 * before that. */
static const char *anchor_of(const char *line)
{
	const char *id = last_of(line, NULL, "\"] [id \""), *ln, *file;
	if (!id)
		return NULL;
	ln = last_of(line, id + 1, "\"] [line \"");
	if (!ln)
		return NULL;
	if (ln - line < 8)
		return NULL;
	file = last_of(line, ln - 7, " [file \"");	/* ending at or before ln */
	return file;
}

char *errorlog_v2_to_v3(const char *line)
{
	const char *ms = strstr(line, "ModSecurity: "), *anchor = anchor_of(line);
	const char *text, *at = NULL, *var_end;
	struct strbuf sb = STRBUF_INIT;
	char *param = NULL, *value = NULL, *msg;

	if (!ms || !anchor || strstr(line, "against variable `"))
		return xstrdup(line);
	/* "Warning. " or "Access denied with code 403 (phase 2). " */
	text = ms + 13;
	if (!strncmp(text, "Warning. ", 9)) {
		text += 9;
	} else {
		const char *dot = strstr(text, "). ");
		if (!dot || dot > anchor)
			return xstrdup(line);
		text = dot + 3;
	}
	/* "<what> at VAR." just before the anchor: the last " at " */
	at = last_of(text, anchor, " at ");
	var_end = anchor;
	if (var_end > text && var_end[-1] == '.')
		var_end--;
	if (!at || at + 4 >= var_end)
		return xstrdup(line);
	/* "Operator GE matched 5 at TX:anomaly_score" */
	if (!strncmp(text, "Operator ", 9)) {
		const char *m = strstr(text, " matched ");
		if (m && m < at)
			param = xstrndup(m + 9, (size_t)(at - m - 9));
	}
	msg = errorlog_field(line, "msg");
	if (msg) {
		const char *t = strstr(msg, "Total Score: ");
		if (t)
			value = xstrndup(t + 13, strspn(t + 13, "0123456789"));
		free(msg);
	}
	strbuf_add(&sb, line, (size_t)(text - line));
	strbuf_addf(&sb, "Matched \"Operator `V2' with parameter `%s' against variable `",
		    param ? param : "");
	strbuf_add(&sb, at + 4, (size_t)(var_end - at - 4));
	strbuf_addf(&sb, "' (Value: `%s' )", value ? value : "");
	strbuf_addstr(&sb, anchor);
	free(param);
	free(value);
	return strbuf_detach(&sb, NULL);
}

static int is_disruptive(const char *line)
{
	const char *ms = strstr(line, "ModSecurity: ");
	return ms && (!strncmp(ms + 13, "Access denied", 13) || !strncmp(ms + 13, "Redirection", 11) ||
		      !strncmp(ms + 13, "Connection", 10));
}

struct cand {
	char *line;
	char *uid;
	char *uri;
};

enum corr errorlog_collect(struct errorlog *el, const char *marker, const char *path,
			   struct txresult *tx, char **unique_id)
{
	off_t end = settle(el), start = el->mark;
	struct strbuf buf = STRBUF_INIT;
	struct cand *c = NULL;
	size_t n = 0, alloc = 0;
	const char *want = NULL;
	enum corr how = CORR_NONE;
	char *p;
	int cut = 0;

	memset(tx, 0, sizeof(*tx));
	*unique_id = NULL;
	if (end < start)
		start = 0;	/* rotated or truncated under us */
	/* a busy log: only the newest part can hold this request's lines */
	if (end - start > ERRORLOG_MAX_READ) {
		start = end - ERRORLOG_MAX_READ;
		cut = 1;
	}
	if (end > start) {
		strbuf_grow(&buf, (size_t)(end - start));
		ssize_t got = pread(el->fd, buf.buf, (size_t)(end - start), start);
		strbuf_setlen(&buf, got > 0 ? (size_t)got : 0);
	}
	p = buf.buf;
	if (cut) {
		/* cut mid-line: start at the next whole one */
		char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + buf.len;
	}
	el->mark = end;
	for (; *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(p, "ModSecurity: ") && anchor_of(p)) {
			ARRAY_PUSH(c, n, alloc);
			c[n].line = p;
			c[n].uid = errorlog_field(p, "unique_id");
			c[n].uri = errorlog_field(p, "uri");
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	for (size_t i = 0; i < n && !want; i++)
		if (c[i].uid && marker && !strcmp(c[i].uid, marker)) {
			want = c[i].uid;
			how = CORR_MARKER;
		}
	for (size_t i = 0; i < n && !want; i++)
		if (c[i].uri && c[i].uid && !strcmp(c[i].uri, path)) {
			want = c[i].uid;
			how = CORR_URI;
			for (size_t k = i + 1; k < n; k++)
				if (c[k].uri && c[k].uid && !strcmp(c[k].uri, path) && strcmp(c[k].uid, want))
					how = CORR_AMBIGUOUS;
		}
	for (size_t i = 0; i < n && want; i++) {
		char *l;
		if (!c[i].uid || strcmp(c[i].uid, want))
			continue;
		l = errorlog_v2_to_v3(c[i].line);
		if (is_disruptive(l) && !tx->intervention_log) {
			struct match m;
			tx->intervention_log = l;
			tx->disrupted = 1;
			if (logline_parse(l, &m) == 0) {
				tx->status = m.status;
				tx->phase = m.phase;
				match_release(&m);
			}
		} else {
			ARRAY_PUSH(tx->lines, tx->nlines, tx->alines);
			tx->lines[tx->nlines++] = l;
		}
	}
	if (want)
		*unique_id = xstrdup(want);
	for (size_t i = 0; i < n; i++) {
		free(c[i].uid);
		free(c[i].uri);
	}
	free(c);
	strbuf_release(&buf);
	return how;
}
