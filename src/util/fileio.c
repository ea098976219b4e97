#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ---- */

static int read_fd(int fd, const char *path, struct strbuf *out, struct strbuf *err)
{
	char chunk[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			return -1;
		}
		total += (size_t)n;
		/* checked while reading too: a FIFO, a device or a file
		 * that grows under us has no size to check beforehand */
		if (total > MCA_MAX_FILE_SIZE) {
			strbuf_addf(err, "%s: larger than the %s limit on an input file",
				    path, MCA_MAX_FILE_SIZE_TEXT);
			return -1;
		}
		strbuf_add(out, chunk, (size_t)n);
	}
	return 0;
}

static int read_checked(const char *path, int regular_only, struct strbuf *out,
			struct strbuf *err)
{
	size_t before = out->len;
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK: opening a FIFO with no writer must not hang (a
	 * regular-only read refuses it after fstat anyway) */
	fd = open(path, O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
	if (fd < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	if (regular_only && !S_ISREG(st.st_mode)) {
		close(fd);
		if (!strcmp(path, "/dev/null") && S_ISCHR(st.st_mode))
			return 0;
		strbuf_addf(err, "%s: not a regular file (a server reads only regular files)", path);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > MCA_MAX_FILE_SIZE) {
		strbuf_addf(err, "%s: larger than the %s limit on an input file", path,
			    MCA_MAX_FILE_SIZE_TEXT);
		close(fd);
		return -1;
	}
	if (regular_only)
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	ret = read_fd(fd, path, out, err);
	close(fd);
	if (ret < 0)
		strbuf_setlen(out, before);
	return ret;
}

int read_file(const char *path, struct strbuf *out, struct strbuf *err)
{
	return read_checked(path, 0, out, err);
}

int read_config_file(const char *path, struct strbuf *out, struct strbuf *err)
{
	return read_checked(path, 1, out, err);
}

/* ---- writing ---- */

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The descriptor a path names by itself ("/dev/stdout", "/dev/fd/3",
 * "/proc/self/fd/3"), or -1. Writing that descriptor keeps the shell's
 * own redirection (appending with >>, a pipe), which reopening the path
 * would not. */
static int fd_of_path(const char *path)
{
	static const char *const pre[] = { "/dev/fd/", "/proc/self/fd/" };
	if (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))
		return STDOUT_FILENO;
	if (!strcmp(path, "/dev/stderr"))
		return STDERR_FILENO;
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i]);
		char *end;
		long fd;
		if (strncmp(path, pre[i], n) || !path[n])
			continue;
		errno = 0;
		fd = strtol(path + n, &end, 10);
		if (!*end && !errno && fd >= 0 && fd <= INT_MAX && fcntl((int)fd, F_GETFD) >= 0)
			return (int)fd;
	}
	return -1;
}

/* Follow `path` through every symlink to the file it finally names (which
 * need not exist: a dangling link is written through to its target, as
 * the shell's `>` does). Returns a malloc'd path or NULL with `err` set. */
static char *final_target(const char *path, struct strbuf *err)
{
	char *cur = xstrdup(path);
	for (int hops = 0;; hops++) {
		struct stat st;
		char link[PATH_MAX];
		ssize_t n;
		/* the kernel's own links (/dev/stdout -> /proc/self/fd/1 ->
		 * "pipe:[42]") name descriptors, not paths: stop there */
		if (fd_of_path(cur) >= 0 || !strncmp(cur, "/proc/", 6))
			return cur;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		if (hops >= 40) {
			strbuf_addf(err, "%s: too many levels of symbolic links", path);
			free(cur);
			return NULL;
		}
		n = readlink(cur, link, sizeof(link) - 1);
		if (n < 0) {
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			free(cur);
			return NULL;
		}
		link[n] = '\0';
		if (link[0] == '/') {
			free(cur);
			cur = xstrdup(link);
		} else {
			/* relative to the directory holding the link */
			const char *slash = strrchr(cur, '/');
			char *next = slash ? xasprintf("%.*s/%s", (int)(slash - cur), cur, link)
					   : xstrdup(link);
			free(cur);
			cur = next;
		}
	}
}

static int write_direct(const char *shown, const char *path, const char *data, size_t len,
			struct strbuf *err)
{
	/* no O_TRUNC: a device or FIFO has nothing to truncate */
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		strbuf_addf(err, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) < 0) {
		strbuf_addf(err, "%s: %s", shown, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Replace the regular file (or create the file) `target` atomically,
 * keeping an existing file's owner and mode. */
static int replace_regular(const char *shown, const char *target, const struct stat *old,
			   const char *data, size_t len, struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd;

	strbuf_addf(&tmp, "%s.tmpXXXXXX", target);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		strbuf_addf(err, "%s: cannot create a file beside it: %s", shown, strerror(errno));
		strbuf_release(&tmp);
		return -1;
	}
	if (old) {
		/* the server may read it as another user: keep who owns it */
		if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
		    fchown(fd, old->st_uid, old->st_gid) < 0) {
			strbuf_addf(err, "%s: cannot keep its owner (uid %lu, gid %lu): %s",
				    shown, (unsigned long)old->st_uid, (unsigned long)old->st_gid,
				    strerror(errno));
			goto fail;
		}
		if (fchmod(fd, old->st_mode & 07777) < 0) {
			strbuf_addf(err, "%s: cannot keep its mode: %s", shown, strerror(errno));
			goto fail;
		}
	} else {
		/* mkstemp makes 0600; an exclusions file is meant to be read
		 * by the web server: the usual 0666 less the umask */
		mode_t um = umask(0);
		umask(um);
		(void)fchmod(fd, 0666 & ~um);
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		strbuf_addf(err, "%s: %s", shown, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		strbuf_addf(err, "%s: %s", shown, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, target) < 0) {
		strbuf_addf(err, "%s: %s", shown, strerror(errno));
		goto fail;
	}
	strbuf_release(&tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
	strbuf_release(&tmp);
	return -1;
}

int write_file_atomic(const char *path, const char *data, size_t len,
		      struct strbuf *err)
{
	struct stat st;
	char *target;
	int fd, ret;

	if (output_path_check(path, err) < 0)
		return -1;
	target = final_target(path, err);
	if (!target)
		return -1;
	fd = fd_of_path(target);
	if (fd >= 0) {
		ret = write_all(fd, data, len);
		if (ret < 0)
			strbuf_addf(err, "%s: %s", !strcmp(path, "-") ? "stdout" : path,
				    strerror(errno));
		free(target);
		return ret;
	}
	if (!strncmp(target, "/proc/", 6)) {
		ret = write_direct(path, target, data, len, err);
		free(target);
		return ret;
	}
	if (stat(target, &st) < 0) {
		if (errno != ENOENT) {
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			free(target);
			return -1;
		}
		ret = replace_regular(path, target, NULL, data, len, err);
	} else if (S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: is a directory: give a file name to write", path);
		ret = -1;
	} else if (S_ISREG(st.st_mode)) {
		ret = replace_regular(path, target, &st, data, len, err);
	} else {
		/* /dev/null, a FIFO, a terminal: written, never replaced;
		 * anything under /proc is a kernel object too */
		ret = write_direct(path, target, data, len, err);
	}
	free(target);
	return ret;
}

int output_path_check(const char *path, struct strbuf *err)
{
	struct stat st;
	if (!path || !strcmp(path, "-"))
		return 0;
	if (!*path) {
		strbuf_addstr(err, "empty output path");
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: is a directory: give a file name to write", path);
		return -1;
	}
	return 0;
}
