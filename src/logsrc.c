#include "logsrc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (256u << 10)

const char *logfile_compression(const char *path)
{
	unsigned char m[6];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	got = read(fd, m, sizeof(m));
	close(fd);
	if (got < 4)
		return NULL;
	if (got >= 6 && !memcmp(m, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (!memcmp(m, "BZh", 3) && m[3] >= '1' && m[3] <= '9')
		return "bzip2";
	if (!memcmp(m, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (!memcmp(m, "\x04\x22\x4d\x18", 4))
		return "lz4";
	return NULL;
}

int logfile_open(struct logfile *f, const char *path, struct strbuf *err)
{
	const char *comp;
	int fd;
	memset(f, 0, sizeof(*f));
	strbuf_init(&f->cur, 256);
	if (!strcmp(path, "-")) {
		fd = dup(0);
		f->path = xstrdup("(stdin)");
	} else {
		struct stat st;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			errno = EISDIR;
			fd = -1;
		}
		f->path = xstrdup(path);
		/* zlib reads gzip and plain text; logrotate's other
		 * compressors would read as binary garbage */
		if (fd >= 0 && (comp = logfile_compression(path)) != NULL) {
			strbuf_addf(err, "%s: compressed with %s, which logs does not read: "
				    "%s -dc %s | modsec-callback-audit logs -", path, comp, comp, path);
			close(fd);
			free(f->path);
			strbuf_release(&f->cur);
			memset(f, 0, sizeof(*f));
			return -1;
		}
	}
	if (fd < 0 || !(f->gz = gzdopen(fd, "rb"))) {
		strbuf_addf(err, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		if (fd >= 0)
			close(fd);
		free(f->path);
		strbuf_release(&f->cur);
		memset(f, 0, sizeof(*f));
		return -1;
	}
	gzbuffer(f->gz, CHUNK);
	f->balloc = CHUNK;
	f->buf = xmalloc(f->balloc + 1);
	return 0;
}

void logfile_close(struct logfile *f)
{
	if (f->gz)
		gzclose(f->gz);
	free(f->buf);
	free(f->path);
	strbuf_release(&f->cur);
	memset(f, 0, sizeof(*f));
}

static int fill(struct logfile *f, struct strbuf *err)
{
	int got;
	if (f->eof)
		return 0;
	got = gzread(f->gz, f->buf, (unsigned)f->balloc);
	if (got < 0) {
		int zerr;
		const char *msg = gzerror(f->gz, &zerr);
		/* a gzip file cut short (rotated while written, a crash) ends
		 * there: what was read stays, the record is reported cut off */
		if (zerr == Z_BUF_ERROR || zerr == Z_DATA_ERROR) {
			f->eof = 1;
			return 0;
		}
		strbuf_addf(err, "%s:%ld: %s", f->path, f->line + 1,
			    zerr == Z_ERRNO ? strerror(errno) : msg);
		return -1;
	}
	if (got == 0) {
		f->eof = 1;
		return 0;
	}
	f->bstart = 0;
	f->bend = (size_t)got;
	return 1;
}

int logfile_getline(struct logfile *f, char **line, size_t *len, struct strbuf *err)
{
	strbuf_reset(&f->cur);
	f->cut = 0;
	for (;;) {
		char *nl;
		size_t n;
		if (f->bstart == f->bend) {
			int r = fill(f, err);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (!f->cur.len && !f->cut)
					return 0;
				f->last_line_unterminated = 1;
				break;
			}
		}
		nl = memchr(f->buf + f->bstart, '\n', f->bend - f->bstart);
		n = nl ? (size_t)(nl - (f->buf + f->bstart)) : f->bend - f->bstart;
		/* the whole line is in the buffer: hand it out from there */
		if (nl && !f->cur.len && !f->cut && n <= LOGSRC_MAX_LINE) {
			*line = f->buf + f->bstart;
			*len = n;
			*nl = '\0';
			f->bstart += n + 1;
			f->line++;
			return 1;
		}
		if (f->cur.len + n > LOGSRC_MAX_LINE) {
			size_t keep = f->cur.len < LOGSRC_MAX_LINE ? LOGSRC_MAX_LINE - f->cur.len : 0;
			strbuf_add(&f->cur, f->buf + f->bstart, keep);
			f->cut = 1;
		} else if (!f->cut) {
			strbuf_add(&f->cur, f->buf + f->bstart, n);
		}
		f->bstart += n;
		if (nl) {
			f->bstart++;
			break;
		}
	}
	f->line++;
	*line = f->cur.buf;
	*len = f->cur.len;
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, char ***files, size_t *n, size_t *alloc, struct strbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0, an = 0;
	int ret = 0;
	if (!d) {
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ARRAY_PUSH(names, nn, an);
		names[nn++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		struct stat st;
		if (ret == 0 && stat(names[i], &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				ret = walk(names[i], files, n, alloc, err);
			} else if (S_ISREG(st.st_mode)) {
				ARRAY_PUSH(*files, *n, *alloc);
				(*files)[(*n)++] = names[i];
				names[i] = NULL;
			}
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int logsrc_expand(char *const *sources, size_t n, char ***files, size_t *nfiles,
		  unsigned char **walked, struct strbuf *err)
{
	size_t alloc = 0, wn = 0, wa = 0;
	*files = NULL;
	*nfiles = 0;
	if (walked)
		*walked = NULL;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(sources[i], "-") && stat(sources[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			char *d = xstrdup(sources[i]);
			size_t l = strlen(d);
			while (l > 1 && d[l - 1] == '/')
				d[--l] = '\0';
			int r = walk(d, files, nfiles, &alloc, err);
			free(d);
			if (r < 0)
				return -1;
			for (; walked && wn < *nfiles; wn++) {
				ARRAY_PUSH(*walked, wn, wa);
				(*walked)[wn] = 1;
			}
			continue;
		}
		ARRAY_PUSH(*files, *nfiles, alloc);
		(*files)[(*nfiles)++] = xstrdup(sources[i]);
		if (walked) {
			ARRAY_PUSH(*walked, wn, wa);
			(*walked)[wn++] = 0;
		}
	}
	return 0;
}
