#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int read_file(const char *path, struct strbuf *out, struct strbuf *err)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		strbuf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

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

int write_file_atomic(const char *path, const char *data, size_t len,
		      struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd;

	if (!strcmp(path, "-")) {
		if (write_all(STDOUT_FILENO, data, len) < 0) {
			strbuf_addf(err, "stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	strbuf_addf(&tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		strbuf_addf(err, "%s: cannot create: %s", path, strerror(errno));
		strbuf_release(&tmp);
		return -1;
	}
	/* mkstemp makes 0600; an exclusions file is meant to be read by the
	 * web server, so give it the usual 0644 (less the umask). */
	{
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp.buf);
		strbuf_release(&tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp.buf, path) < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		unlink(tmp.buf);
		strbuf_release(&tmp);
		return -1;
	}
	strbuf_release(&tmp);
	return 0;
}
