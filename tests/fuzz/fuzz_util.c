#include "fuzz.h"
#include "ruleset.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_dir(void)
{
	if (!dir[0]) {
		strcpy(dir, "/tmp/mca-fuzz-XXXXXX");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(cleanup);
	}
	return dir;
}

static void mkdirs(char *path)
{
	for (char *s = path + strlen(fuzz_dir()) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			perror(path);
			abort();
		}
		*s = '/';
	}
}

char *fuzz_write(const char *rel, const uint8_t *data, size_t size)
{
	char *path = xasprintf("%s/%s", fuzz_dir(), rel);
	int fd;

	mkdirs(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size) {
		ssize_t n = write(fd, data, size);
		if (n < 0) {
			perror(path);
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
	return path;
}

static const char *copy_from, *copy_to;

static int copy_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	char *dst;
	(void)f;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	dst = xasprintf("%s%s", copy_to, path + strlen(copy_from));
	{
		struct strbuf sb = STRBUF_INIT;
		FILE *in = fopen(path, "rb");
		char buf[8192];
		size_t n;
		if (in) {
			while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
				strbuf_add(&sb, buf, n);
			fclose(in);
			free(fuzz_write(dst + strlen(fuzz_dir()) + 1, (const uint8_t *)sb.buf, sb.len));
		}
		strbuf_release(&sb);
	}
	free(dst);
	return 0;
}

void fuzz_copy_tree(const char *src_rel, const char *dst_rel)
{
	const char *top = getenv("MCA_SRCDIR");
	char *src = xasprintf("%s/%s", top && *top ? top : SRCDATADIR, src_rel);
	char *dst = xasprintf("%s/%s", fuzz_dir(), dst_rel);
	copy_from = src;
	copy_to = dst;
	nftw(src, copy_one, 16, FTW_PHYS);
	free(src);
	free(dst);
}

char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

char *fuzz_ruleset_begin(struct ruleset *rs, const char *tree, const char *tree_dst, const char *rel,
			 const uint8_t *data, size_t size)
{
	static const char *copied[8];	/* the trees copied so far (one per target) */
	size_t i;
	for (i = 0; i < 8 && copied[i] && strcmp(copied[i], tree); i++)
		;
	if (i == 8 || !copied[i]) {
		fuzz_copy_tree(tree, tree_dst);
		if (i < 8)
			copied[i] = tree;
	}
	ruleset_init(rs);
	rs->root = xstrdup(fuzz_dir());
	return fuzz_write(rel, data, size);
}

void fuzz_ruleset_end(struct ruleset *rs, struct strbuf *err, char *path)
{
	ruleset_release(rs);
	strbuf_release(err);
	free(path);
}
