/*
 * logread: detection by content and the run over all files; the
 * Concurrent index is read here (its lines name the per-transaction
 * files, which the native reader reads).
 */
#include "logread.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* how far a file that starts inside a native record is searched for the
 * next record before it is declared something else */
#define NATIVE_SEARCH_LINES 500

/* ---- a set of paths (the per-transaction files an index named) ---- */
struct pathset {
	char **v;
	size_t n, alloc;	/* open addressing, alloc a power of two */
};

static unsigned long hash_str(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static int pathset_has(const struct pathset *ps, const char *p)
{
	if (!ps->alloc)
		return 0;
	for (unsigned long i = hash_str(p) & (ps->alloc - 1);; i = (i + 1) & (ps->alloc - 1)) {
		if (!ps->v[i])
			return 0;
		if (!strcmp(ps->v[i], p))
			return 1;
	}
}

static void pathset_add(struct pathset *ps, const char *p)
{
	if (pathset_has(ps, p))
		return;
	if ((ps->n + 1) * 2 > ps->alloc) {
		struct pathset big = { NULL, 0, ps->alloc ? ps->alloc * 2 : 64 };
		big.v = xcalloc(big.alloc, sizeof(char *));
		for (size_t i = 0; i < ps->alloc; i++)
			if (ps->v[i]) {
				unsigned long k = hash_str(ps->v[i]) & (big.alloc - 1);
				while (big.v[k])
					k = (k + 1) & (big.alloc - 1);
				big.v[k] = ps->v[i];
			}
		free(ps->v);
		big.n = ps->n;
		*ps = big;
	}
	{
		unsigned long k = hash_str(p) & (ps->alloc - 1);
		while (ps->v[k])
			k = (k + 1) & (ps->alloc - 1);
		ps->v[k] = xstrdup(p);
		ps->n++;
	}
}

static void pathset_free(struct pathset *ps)
{
	for (size_t i = 0; i < ps->alloc; i++)
		free(ps->v[i]);
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* ---- the Concurrent index ----
 * host client - - [29/Nov/2026:20:20:53.122742 +0000] "GET /x HTTP/1.1"
 * 403 239 "-" "-" UNIQUE_ID "-" /www-data/20261129/.../FILE 0 34240 md5:...
 */
struct index_line {
	long long time;
	char *request;		/* "GET /x HTTP/1.1" */
	int status;
	char *unique_id;
	char *path;		/* relative to SecAuditLogStorageDir */
};

static int index_parse(const char *line, struct index_line *il)
{
	const char *lb = strstr(line, " ["), *q1, *q2, *end;
	const char *tok[4];
	int nt = 0;
	memset(il, 0, sizeof(*il));
	if (!lb || !(q1 = strstr(lb, "] \"")))
		return -1;
	/* the last four space-separated tokens: path offset size hash */
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		end--;
	for (const char *p = end; p > q1 && nt < 4; p--)
		if (p[-1] == ' ')
			tok[nt++] = p;
	if (nt < 4 || tok[3][0] != '/' || !isdigit((unsigned char)tok[2][0]) ||
	    !isdigit((unsigned char)tok[1][0]))
		return -1;
	q2 = strstr(q1 + 3, "\" ");
	/* the request line is quoted and may itself contain "\" ": take the
	 * last one followed by " STATUS " */
	for (const char *p = q2; p && p < tok[3]; p = strstr(p + 1, "\" "))
		if (isdigit((unsigned char)p[2])) {
			q2 = p;
			break;
		}
	if (!q2 || q2 > tok[3])
		return -1;
	il->time = logtime_apache(lb + 2);
	il->request = xstrndup(q1 + 3, (size_t)(q2 - q1 - 3));
	il->status = atoi(q2 + 2);
	il->path = xstrndup(tok[3], (size_t)(tok[2] - 1 - tok[3]));
	{
		/* the unique id: the token before "sess" before the path */
		const char *e = tok[3] - 1, *s;
		while (e > q2 && e[-1] == ' ')
			e--;
		if (e > q2 && e[-1] == '"') {	/* skip "session" */
			const char *o = e - 1;
			while (o > q2 && *(o - 1) != '"')
				o--;
			e = o > q2 ? o - 1 : e;
			while (e > q2 && e[-1] == ' ')
				e--;
		}
		s = e;
		while (s > q2 && s[-1] != ' ')
			s--;
		if (e > s)
			il->unique_id = xstrndup(s, (size_t)(e - s));
	}
	return 0;
}

static void index_release(struct index_line *il)
{
	free(il->request);
	free(il->unique_id);
	free(il->path);
}

static int index_shape(const char *line)
{
	struct index_line il;
	int r = index_parse(line, &il);
	index_release(&il);
	return r == 0;
}

/* ---- detection ---- */
enum shape { SH_EMPTY, SH_NATIVE, SH_JSON, SH_INDEX, SH_ERRORLOG, SH_OTHER };

static enum shape shape_of(const char *line, size_t len)
{
	char id[64], part;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len)
		return SH_EMPTY;
	if (native_boundary(line, len, id, &part))
		return SH_NATIVE;
	if (line[i] == '{')
		return SH_JSON;
	if (errorlog_line_shape(line))
		return SH_ERRORLOG;
	if (index_shape(line))
		return SH_INDEX;
	return SH_OTHER;
}

static int file_shape(const char *path, enum shape *sh)
{
	struct logfile f;
	struct strbuf err = STRBUF_INIT;
	char *line;
	size_t len;
	int r;
	*sh = SH_EMPTY;
	if (logfile_open(&f, path, &err) < 0) {
		strbuf_release(&err);
		return -1;
	}
	while ((r = logfile_getline(&f, &line, &len, &err)) == 1 && (*sh = shape_of(line, len)) == SH_EMPTY)
		;
	/* a native log rotated inside a record starts with its tail; an
	 * error log may start with lines no logger prefixed (a CGI's or
	 * PHP's stderr) */
	for (long n = 0; *sh == SH_OTHER && n < NATIVE_SEARCH_LINES &&
			 logfile_getline(&f, &line, &len, &err) == 1; n++) {
		enum shape now = shape_of(line, len);
		if (now == SH_NATIVE || now == SH_ERRORLOG)
			*sh = now;
	}
	logfile_close(&f);
	strbuf_release(&err);
	return 0;
}

struct run {
	const struct logsink *sink;
	struct logread_stats *st;
	struct pathset seen;
	char *base;		/* where the index's paths resolved last */
};

static int read_file(struct run *run, const char *path, int from_index, struct strbuf *err);

/* Where the index's paths start (SecAuditLogStorageDir): the directory
 * of the index, or one of its subdirectories (an index next to its
 * storage directory, e.g. audit.log and audit/). The first that holds
 * the file is remembered for the next lines. */
static char *resolve_rel(struct run *run, const char *index_file, const char *rel)
{
	char *dir = xstrdup(index_file), *slash = strrchr(dir, '/'), *cand;
	struct stat st;
	DIR *d;
	struct dirent *de;
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (run->base) {
		cand = xasprintf("%s%s", run->base, rel);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			free(dir);
			return cand;
		}
		free(cand);
	}
	cand = xasprintf("%s%s", dir, rel);
	if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
		free(run->base);
		run->base = dir;
		return cand;
	}
	free(cand);
	cand = NULL;
	if ((d = opendir(dir)) != NULL) {
		while (!cand && (de = readdir(d)) != NULL) {
			char *sub;
			if (de->d_name[0] == '.')
				continue;
			sub = xasprintf("%s/%s", dir, de->d_name);
			cand = xasprintf("%s%s", sub, rel);
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
				free(run->base);
				run->base = sub;
			} else {
				free(cand);
				free(sub);
				cand = NULL;
			}
		}
		closedir(d);
	}
	free(dir);
	return cand;
}

/* A transaction's file without part B (SecAuditLogParts AFHZ, ...) has
 * no request line: the index's is taken, and its status when part F is
 * missing too. */
struct index_sink {
	const struct logsink *up;
	const struct index_line *il;
};

static int index_wanted(void *ctx, const char *method, const char *uri)
{
	struct index_sink *is = ctx;
	return !is->up->wanted || is->up->wanted(is->up->ctx, method, uri);
}

static void index_emit(void *ctx, struct logrec *r)
{
	struct index_sink *is = ctx;
	if (!r->have_method && is->il->request)
		logrec_request_line(r, is->il->request);
	if (!r->status)
		r->status = is->il->status;
	is->up->emit(is->up->ctx, r);
}

static void index_skipped(void *ctx, const char *file, long line, const char *why)
{
	struct index_sink *is = ctx;
	is->up->skipped(is->up->ctx, file, line, why);
}

/* libmodsecurity 3 writes the file's absolute path: taken as it is when
 * it is there; otherwise (the logs copied elsewhere, a chroot) its tail,
 * "/20261130/20261130-0439/FILE", is looked for as a relative path is.
 * mod_security2's path is relative to the storage directory, which holds
 * the user's directory ("/www-data/20261130/..."), or the user's name is
 * left out when the index sits in the user's directory. */
static char *resolve(struct run *run, const char *index_file, const char *rel)
{
	struct stat st;
	char *hit;
	if (rel[0] == '/' && stat(rel, &st) == 0 && S_ISREG(st.st_mode))
		return xstrdup(rel);
	for (const char *p = rel; p; p = strchr(p + 1, '/'))
		if ((hit = resolve_rel(run, index_file, p)) != NULL)
			return hit;
	return NULL;
}

static int read_index_line(struct run *run, const char *file, long lineno, const char *line,
			   struct strbuf *err)
{
	struct index_line il;
	char *target;
	int ret = 0;
	(void)err;
	if (index_parse(line, &il) < 0) {
		run->sink->skipped(run->sink->ctx, file, lineno, "not a Concurrent index line");
		index_release(&il);
		return 0;
	}
	/* the storage directory's own tree only: no way up out of it */
	if (strstr(il.path, "/../") || !strcmp(il.path + strlen(il.path) - (strlen(il.path) >= 3 ? 3 : 0), "/..")) {
		run->sink->skipped(run->sink->ctx, file, lineno, "the transaction's file name leaves the storage directory");
		index_release(&il);
		return 0;
	}
	target = resolve(run, file, il.path);
	if (!target) {
		char *why = xasprintf("the transaction's file %s is missing (not under the index's directory or its subdirectories)",
				      il.path);
		run->sink->skipped(run->sink->ctx, file, lineno, why);
		free(why);
	} else {
		char real[PATH_MAX];
		if (realpath(target, real))
			pathset_add(&run->seen, real);
		/* one transaction's file that is not one is that record lost,
		 * not the run */
		struct strbuf why = STRBUF_INIT;
		struct index_sink is = { run->sink, &il };
		struct logsink wrap = { &is, index_wanted, index_emit, index_skipped };
		const struct logsink *up = run->sink;
		run->sink = &wrap;
		if (read_file(run, target, 1, &why) < 0)
			up->skipped(up->ctx, file, lineno, why.buf);
		run->sink = up;
		strbuf_release(&why);
	}
	free(target);
	index_release(&il);
	return ret;
}

/* One file as it is read: its shape and the reader of that shape. */
struct reading {
	struct run *run;
	struct logfile f;
	enum shape sh;
	struct native_reader nr;
	int native_started, cut_reported;
	struct errorlog_reader *er;
};

static void native_feed(struct reading *rd, const char *line, size_t len)
{
	if (!rd->native_started) {
		native_begin(&rd->nr, rd->f.path, rd->run->sink);
		rd->nr.skipping = rd->cut_reported;	/* said so already */
		rd->native_started = 1;
	}
	native_line(&rd->nr, line, len, rd->f.line);
}

/* A line of a native log: SecAuditLogFormat changed to JSON, the server
 * still appending to the same file, writes a JSON record between two
 * native ones (inside one, such a line is a body line). */
static void native_or_json(struct reading *rd, const char *line, size_t len)
{
	if ((!rd->native_started || !rd->nr.open) && len > 16 && !strncmp(line, "{\"transaction\":", 15)) {
		struct strbuf why = STRBUF_INIT;
		if (json_record(rd->f.path, rd->f.line, line, len, rd->run->sink, &why) < 0)
			rd->run->sink->skipped(rd->run->sink->ctx, rd->f.path, rd->f.line,
					       "record cut off (incomplete JSON)");
		strbuf_release(&why);
		return;
	}
	native_feed(rd, line, len);
}

/* A line of a JSON log; -1 (err set) when it is no audit record */
static int json_feed(struct reading *rd, const char *line, size_t len, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	size_t i = 0;
	char bid[64], bpart;
	int ret = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len)
		return 0;
	/* the format changed back to native in the same file */
	if (native_boundary(line, len, bid, &bpart) && bpart == 'A') {
		rd->sh = SH_NATIVE;
		native_feed(rd, line, len);
		return 0;
	}
	if (json_record(rd->f.path, rd->f.line, line, len, rd->run->sink, &why) < 0) {
		/* a record cut by a crash (the line ends early, or the next
		 * record was written onto it) is skipped; a line that is no
		 * record at all is an error */
		if (line[i] == '{' && (rd->f.last_line_unterminated || strstr(line, "{\"transaction\"")))
			rd->run->sink->skipped(rd->run->sink->ctx, rd->f.path, rd->f.line,
					       "record cut off (incomplete JSON)");
		else {
			strbuf_addf(err, "%s:%ld: %s", rd->f.path, rd->f.line, why.buf);
			ret = -1;
		}
	}
	strbuf_release(&why);
	return ret;
}

static int read_file(struct run *run, const char *path, int from_index, struct strbuf *err)
{
	struct reading rd;
	char *line;
	size_t len;
	int r, ret = 0;
	long search = 0;

	memset(&rd, 0, sizeof(rd));
	rd.run = run;
	rd.sh = SH_EMPTY;
	if (logfile_open(&rd.f, path, err) < 0)
		return -1;
	run->st->files++;
	while ((r = logfile_getline(&rd.f, &line, &len, err)) == 1) {
		run->st->bytes += len + 1;
		if (rd.sh == SH_EMPTY || rd.sh == SH_OTHER) {
			enum shape now = shape_of(line, len);
			if (now == SH_EMPTY)
				continue;
			if (rd.sh == SH_EMPTY && now != SH_OTHER) {
				rd.sh = now;
				run->st->by_kind[now == SH_NATIVE ? LOG_NATIVE : now == SH_JSON ? LOG_JSON :
						 now == SH_INDEX ? LOG_INDEX : LOG_ERRORLOG]++;
			} else if (now == SH_NATIVE) {
				/* rotation cut a native record: what came before it is its tail */
				rd.sh = SH_NATIVE;
				run->st->by_kind[LOG_NATIVE]++;
				run->sink->skipped(run->sink->ctx, rd.f.path, 1,
						   "record cut off (its start is not in this file)");
				rd.cut_reported = 1;
			} else if (now == SH_ERRORLOG && !from_index) {
				/* an error log after lines of no known shape */
				rd.sh = SH_ERRORLOG;
				run->st->by_kind[LOG_ERRORLOG]++;
			} else {
				rd.sh = SH_OTHER;
				if (++search > NATIVE_SEARCH_LINES || from_index) {
					ret = -1;
					break;
				}
				continue;
			}
		}
		switch (rd.sh) {
		case SH_NATIVE:
			native_or_json(&rd, line, len);
			break;
		case SH_JSON:
			ret = json_feed(&rd, line, len, err);
			break;
		case SH_INDEX:
			if (len && read_index_line(run, rd.f.path, rd.f.line, line, err) < 0)
				ret = -1;
			break;
		case SH_ERRORLOG:
			if (!rd.er)
				rd.er = errorlog_reader_new(rd.f.path, run->sink);
			errorlog_reader_line(rd.er, line, rd.f.line);
			break;
		default:
			break;
		}
		if (ret < 0)
			break;
	}
	if (r < 0)
		ret = -1;
	if ((ret == 0 || !err->len) && rd.sh == SH_OTHER) {
		strbuf_addf(err, "%s:%ld: not a ModSecurity audit log (native or JSON), Concurrent audit "
			    "log index or Apache/nginx error log", rd.f.path, rd.f.line - search + 1);
		ret = -1;
	}
	if (rd.native_started)
		native_end(&rd.nr, rd.f.line);
	if (rd.er)
		errorlog_reader_end(rd.er);
	logfile_close(&rd.f);
	return ret;
}

int logread_files(char *const *files, const unsigned char *walked, size_t n,
		  const struct logsink *sink, struct logread_stats *st, struct strbuf *err)
{
	struct run run;
	enum shape *sh = xcalloc(n ? n : 1, sizeof(*sh));
	int ret = 0;

	memset(&run, 0, sizeof(run));
	memset(st, 0, sizeof(*st));
	run.sink = sink;
	run.st = st;
	/* index files first: the per-transaction files they name are then
	 * not read a second time when a directory holds both */
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i], "-") && file_shape(files[i], &sh[i]) < 0)
			sh[i] = SH_OTHER;
	for (size_t i = 0; i < n && !ret; i++)
		if (sh[i] == SH_INDEX)
			ret = read_file(&run, files[i], 0, err);
	/* then the audit logs, then the error logs: a transaction both
	 * recorded is counted from the audit log, which has it in full */
	for (int errlogs = 0; errlogs < 2; errlogs++)
		for (size_t i = 0; i < n && !ret; i++) {
			char real[PATH_MAX];
			if (sh[i] == SH_INDEX || (sh[i] == SH_ERRORLOG) != errlogs)
				continue;
			if (run.seen.n && realpath(files[i], real) && pathset_has(&run.seen, real))
				continue;
			if (walked && walked[i] && sh[i] == SH_OTHER) {
				/* found in a directory: listed, not fatal; why it
				 * could not be read when it could not (another
				 * compressor, the workers' 0600 files) */
				struct logfile lf;
				struct strbuf oe = STRBUF_INIT;
				if (logfile_open(&lf, files[i], &oe) < 0) {
					strbuf_addstr(&oe, " (found in a directory): not read");
					sink->skipped(sink->ctx, files[i], 1, oe.buf);
				} else {
					logfile_close(&lf);
					sink->skipped(sink->ctx, files[i], 1,
						      "not a ModSecurity log (found in a directory): ignored");
				}
				strbuf_release(&oe);
				continue;
			}
			ret = read_file(&run, files[i], 0, err);
		}
	pathset_free(&run.seen);
	free(run.base);
	free(sh);
	return ret;
}
