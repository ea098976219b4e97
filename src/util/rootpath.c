#include "rootpath.h"
#include "strbuf.h"

#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40	/* as the kernel's ELOOP limit */

char *root_resolve(const char *root, const char *path)
{
	struct strbuf res = STRBUF_INIT, todo = STRBUF_INIT, full = STRBUF_INIT;
	size_t pos = 0, rootlen = strlen(root);
	int links = 0;

	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	strbuf_addstr(&todo, path);
	while (pos < todo.len) {
		const char *comp;
		size_t end, clen, before;
		struct stat st;

		while (pos < todo.len && todo.buf[pos] == '/')
			pos++;
		if (pos >= todo.len)
			break;
		for (end = pos; end < todo.len && todo.buf[end] != '/'; end++)
			;
		comp = todo.buf + pos;
		clen = end - pos;
		if (clen == 1 && comp[0] == '.') {
			pos = end;
			continue;
		}
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(res.buf, '/');
			strbuf_setlen(&res, slash ? (size_t)(slash - res.buf) : 0);
			pos = end;
			continue;
		}
		if (memchr(comp, '*', clen) || memchr(comp, '?', clen) || memchr(comp, '[', clen)) {
			strbuf_addch(&res, '/');
			strbuf_add(&res, comp, todo.len - pos);
			break;
		}
		before = res.len;
		strbuf_addch(&res, '/');
		strbuf_add(&res, comp, clen);
		strbuf_reset(&full);
		strbuf_add(&full, root, rootlen);
		strbuf_add(&full, res.buf, res.len);
		if (lstat(full.buf, &st) < 0) {
			/* nothing to follow: keep the rest as written */
			strbuf_add(&res, todo.buf + end, todo.len - end);
			break;
		}
		if (S_ISLNK(st.st_mode) && links < MAX_LINKS) {
			char target[PATH_MAX];
			ssize_t n = readlink(full.buf, target, sizeof(target) - 1);
			if (n > 0)
				target[n] = '\0';
			if (n > 0 && !strcmp(target, res.buf)) {
				/* DIR/X -> /X: a loop inside an image, so it can
				 * only mean "the host's /X" (a test tree sharing
				 * the host's CRS): kept as written, the system
				 * follows it */
				strbuf_add(&res, todo.buf + end, todo.len - end);
				break;
			}
			if (n > 0) {
				struct strbuf next = STRBUF_INIT;
				links++;
				strbuf_addstr(&next, target);
				strbuf_add(&next, todo.buf + end, todo.len - end);
				strbuf_release(&todo);
				todo = next;
				pos = 0;
				/* absolute: from the root again; relative: from
				 * the directory holding the link */
				strbuf_setlen(&res, target[0] == '/' ? 0 : before);
				continue;
			}
		}
		pos = end;
	}
	strbuf_reset(&full);
	strbuf_add(&full, root, rootlen);
	if (res.len)
		strbuf_add(&full, res.buf, res.len);
	else
		strbuf_addch(&full, '/');
	strbuf_release(&res);
	strbuf_release(&todo);
	return strbuf_detach(&full, NULL);
}

char *root_confine(const char *root, const char *path)
{
	size_t n;
	if (!root || !*root)
		return xstrdup(path);
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) || (path[n] != '/' && path[n] != '\0'))
		return xstrdup(path);
	return root_resolve(root, path[n] ? path + n : "/");
}
