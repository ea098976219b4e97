/*
 * run-cases: the end-to-end harness (after curl's tests/data + runtests).
 *
 * Every file testdata/cases/NAME.case is one test: it names the command line,
 * may carry files written to a private temp dir, and says what must hold
 * afterwards. The binary runs for real: real libmodsecurity, real CRS.
 *
 * Sections, each starting with a line "[name]" or "[name arg]":
 *   [description]        one line, printed with the result
 *   [args]               one argument per line; %TMP% is the case's temp
 *                        dir, %DATA% the shipped data dir, %SRC% the source
 *                        (substituted in every section)
 *   [setup-args]         a run before the checked one (exit 0 or 1), to
 *                        make its inputs: e.g. write an exclusions file
 *   [file NAME]          written to %TMP%/NAME before the run (directories made)
 *   [exit]               the expected exit status
 *   [json]               a fragment the JSON on stdout must contain (see below)
 *   [stdout]             lines that must each appear in stdout
 *   [stdout-not]         lines that must not appear in stdout
 *   [stdout-head N]      lines that must each appear in the first N lines of
 *                        stdout (what the first screen shows)
 *   [stderr-regex]       POSIX extended regexes stderr must match, one per line
 *   [output-file NAME]   lines that must each appear in %TMP%/NAME
 *   [no-file NAME]       %TMP%/NAME must not exist afterwards
 *   [stderr-empty]       stderr must be empty
 *   [stderr-lines]       how many lines stderr must have ("one clear line")
 *
 * JSON fragments match by containment: an object matches when every key
 * given matches; an array when each element given matches a different
 * element of the actual array (any order); an array whose first element
 * is "$exactly" must match element by element with the same length.
 * Scalars match exactly.
 *
 * Output: one line per case, then "N passed, N failed". Exit 1 on failure.
 */
#include "util/fileio.h"
#include "util/strbuf.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct section {
	char *name;
	char *arg;
	struct strbuf body;
};

struct testcase {
	char *path;
	struct section *s;
	size_t n;
};

static void parse_case(const char *path, const char *text, struct testcase *tc)
{
	const char *p = text;
	memset(tc, 0, sizeof(*tc));
	tc->path = xstrdup(path);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 2 && p[0] == '[' && p[len - 1] == ']') {
			const char *sp = memchr(p, ' ', len);
			struct section *s;
			tc->s = xrealloc(tc->s, (tc->n + 1) * sizeof(*tc->s));
			s = &tc->s[tc->n++];
			if (sp) {
				s->name = xstrndup(p + 1, (size_t)(sp - p - 1));
				s->arg = xstrndup(sp + 1, (size_t)(p + len - 1 - sp - 1));
			} else {
				s->name = xstrndup(p + 1, len - 2);
				s->arg = NULL;
			}
			strbuf_init(&s->body, 0);
		} else if (tc->n) {
			strbuf_add(&tc->s[tc->n - 1].body, p, len);
			strbuf_addch(&tc->s[tc->n - 1].body, '\n');
		}
		p = nl ? nl + 1 : p + len;
	}
}

static void free_case(struct testcase *tc)
{
	for (size_t i = 0; i < tc->n; i++) {
		free(tc->s[i].name);
		free(tc->s[i].arg);
		strbuf_release(&tc->s[i].body);
	}
	free(tc->s);
	free(tc->path);
}

static void subst(struct strbuf *out, const char *s, const char *tmp)
{
	const char *data = getenv("MCA_DATADIR"), *src = getenv("MCA_SRCDIR");
	while (*s) {
		if (!strncmp(s, "%TMP%", 5)) {
			strbuf_addstr(out, tmp);
			s += 5;
		} else if (!strncmp(s, "%DATA%", 6)) {
			strbuf_addstr(out, data ? data : ".");
			s += 6;
		} else if (!strncmp(s, "%SRC%", 5)) {
			strbuf_addstr(out, src ? src : ".");
			s += 5;
		} else {
			strbuf_addch(out, *s++);
		}
	}
}

/* Lines of a section body, without the final empty one. */
static char **lines_of(const char *body, size_t *n)
{
	char **v = NULL;
	const char *p = body;
	*n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		v = xrealloc(v, (*n + 1) * sizeof(char *));
		v[(*n)++] = xstrndup(p, len);
		p = nl ? nl + 1 : p + len;
	}
	/* trailing blank lines are layout, not content */
	while (*n && !*v[*n - 1])
		free(v[--*n]);
	return v;
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int json_contains(const cJSON *actual, const cJSON *want, struct strbuf *why, const char *where);

static int array_contains(const cJSON *actual, const cJSON *want, struct strbuf *why, const char *where)
{
	int na = cJSON_GetArraySize(actual), nw = cJSON_GetArraySize(want);
	const cJSON *first = cJSON_GetArrayItem(want, 0);
	char *used;
	if (first && cJSON_IsString(first) && !strcmp(first->valuestring, "$exactly")) {
		if (na != nw - 1) {
			strbuf_addf(why, "%s: %d elements, expected exactly %d", where, na, nw - 1);
			return 0;
		}
		for (int i = 1; i < nw; i++) {
			char *w = xasprintf("%s[%d]", where, i - 1);
			int ok = json_contains(cJSON_GetArrayItem(actual, i - 1), cJSON_GetArrayItem(want, i), why, w);
			free(w);
			if (!ok)
				return 0;
		}
		return 1;
	}
	used = xcalloc((size_t)na + 1, 1);
	for (int i = 0; i < nw; i++) {
		const cJSON *w = cJSON_GetArrayItem(want, i);
		int found = 0;
		for (int j = 0; j < na && !found; j++) {
			struct strbuf ignore = STRBUF_INIT;
			if (!used[j] && json_contains(cJSON_GetArrayItem(actual, j), w, &ignore, where)) {
				used[j] = 1;
				found = 1;
			}
			strbuf_release(&ignore);
		}
		if (!found) {
			char *txt = cJSON_PrintUnformatted(w);
			strbuf_addf(why, "%s: no element matches %.300s", where, txt);
			cJSON_free(txt);
			free(used);
			return 0;
		}
	}
	free(used);
	return 1;
}

static int json_contains(const cJSON *actual, const cJSON *want, struct strbuf *why, const char *where)
{
	if (!actual) {
		strbuf_addf(why, "%s: missing", where);
		return 0;
	}
	if (cJSON_IsObject(want)) {
		const cJSON *w;
		if (!cJSON_IsObject(actual)) {
			strbuf_addf(why, "%s: not an object", where);
			return 0;
		}
		cJSON_ArrayForEach(w, want) {
			char *sub = xasprintf("%s.%s", where, w->string);
			int ok = json_contains(cJSON_GetObjectItemCaseSensitive(actual, w->string), w, why, sub);
			free(sub);
			if (!ok)
				return 0;
		}
		return 1;
	}
	if (cJSON_IsArray(want)) {
		if (!cJSON_IsArray(actual)) {
			strbuf_addf(why, "%s: not an array", where);
			return 0;
		}
		return array_contains(actual, want, why, where);
	}
	if (!cJSON_Compare(actual, want, 1)) {
		char *a = cJSON_PrintUnformatted(actual), *w = cJSON_PrintUnformatted(want);
		strbuf_addf(why, "%s: is %.200s, expected %.200s", where, a, w);
		cJSON_free(a);
		cJSON_free(w);
		return 0;
	}
	return 1;
}

/* Run argv, collecting stdout and stderr. Returns the exit status. */
static int run(char **argv, struct strbuf *out, struct strbuf *err)
{
	int po[2], pe[2], status;
	pid_t pid;
	struct pollfd fds[2];
	if (pipe(po) < 0 || pipe(pe) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fds[0].fd = po[0];
	fds[1].fd = pe[0];
	fds[0].events = fds[1].events = POLLIN;
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		char buf[65536];
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
			} else {
				strbuf_add(i ? err : out, buf, (size_t)n);
			}
		}
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char **build_argv(const char *bin, const char *body, const char *tmp)
{
	size_t n, argc = 0;
	char **l = lines_of(body, &n);
	char **argv = xmalloc((n + 2) * sizeof(char *));
	argv[argc++] = xstrdup(bin);
	for (size_t k = 0; k < n; k++) {
		struct strbuf a = STRBUF_INIT;
		subst(&a, l[k], tmp);
		argv[argc++] = strbuf_detach(&a, NULL);
	}
	argv[argc] = NULL;
	free_lines(l, n);
	return argv;
}

static void free_argv(char **argv)
{
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int check_case(struct testcase *tc, const char *bin, struct strbuf *why)
{
	char tmpl[] = "/tmp/mca-case-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	char **argv = NULL;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, e2 = STRBUF_INIT;
	int status, ok = 1;

	if (!tmp) {
		strbuf_addf(why, "mkdtemp: %s", strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < tc->n; i++) {
		struct section *s = &tc->s[i];
		if (!strcmp(s->name, "file") && s->arg) {
			struct strbuf path = STRBUF_INIT, content = STRBUF_INIT;
			char *slash;
			strbuf_addf(&path, "%s/%s", tmp, s->arg);
			/* mkdir -p: a case may carry a tree (etc/apache2/...) */
			for (slash = path.buf + strlen(tmp) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
				*slash = '\0';
				mkdir(path.buf, 0755);
				*slash = '/';
			}
			subst(&content, s->body.buf, tmp);
			if (write_file_atomic(path.buf, content.buf, content.len, &e2) < 0)
				strbuf_addf(why, "cannot write %s", path.buf), ok = 0;
			strbuf_release(&path);
			strbuf_release(&content);
		} else if (!strcmp(s->name, "args")) {
			if (argv)
				free_argv(argv);
			argv = build_argv(bin, s->body.buf, tmp);
		}
	}
	if (!argv)
		argv = build_argv(bin, "", tmp);
	for (size_t i = 0; ok && i < tc->n; i++) {
		if (!strcmp(tc->s[i].name, "setup-args")) {
			struct strbuf so = STRBUF_INIT, se = STRBUF_INIT;
			char **sv = build_argv(bin, tc->s[i].body.buf, tmp);
			int st = run(sv, &so, &se);
			if (st != 0 && st != 1) {
				strbuf_addf(why, "setup run exited %d: %.300s", st, se.buf);
				ok = 0;
			}
			free_argv(sv);
			strbuf_release(&so);
			strbuf_release(&se);
		}
	}
	status = ok ? run(argv, &out, &err) : -1;

	for (size_t i = 0; ok && i < tc->n; i++) {
		struct section *s = &tc->s[i];
		size_t n;
		char **l;
		if (!strcmp(s->name, "exit")) {
			int want = atoi(s->body.buf);
			if (status != want) {
				strbuf_addf(why, "exit status %d, expected %d; stderr: %.300s", status, want, err.buf);
				ok = 0;
			}
		} else if (!strcmp(s->name, "json")) {
			struct strbuf wtext = STRBUF_INIT;
			cJSON *actual, *want;
			subst(&wtext, s->body.buf, tmp);
			actual = cJSON_Parse(out.buf);
			want = cJSON_Parse(wtext.buf);
			strbuf_release(&wtext);
			if (!want) {
				strbuf_addstr(why, "the case's [json] does not parse");
				ok = 0;
			} else if (!actual) {
				strbuf_addf(why, "stdout is not JSON: %.200s", out.buf);
				ok = 0;
			} else {
				ok = json_contains(actual, want, why, "$");
			}
			cJSON_Delete(actual);
			cJSON_Delete(want);
		} else if (!strcmp(s->name, "stdout") || !strcmp(s->name, "stdout-not") ||
			   !strcmp(s->name, "output-file") || !strcmp(s->name, "stdout-head")) {
			struct strbuf file = STRBUF_INIT;
			const char *hay = out.buf;
			int negate = !strcmp(s->name, "stdout-not");
			if (!strcmp(s->name, "stdout-head")) {
				long want = s->arg ? atol(s->arg) : 0;
				const char *p = out.buf;
				for (long k = 0; k < want && p && *p; k++) {
					p = strchr(p, '\n');
					if (p)
						p++;
				}
				strbuf_add(&file, out.buf, p && *p ? (size_t)(p - out.buf) : out.len);
				hay = file.buf;
			}
			if (!strcmp(s->name, "output-file")) {
				struct strbuf p = STRBUF_INIT;
				strbuf_addf(&p, "%s/%s", tmp, s->arg ? s->arg : "");
				if (read_file(p.buf, &file, &e2) < 0) {
					strbuf_addf(why, "%s was not written", s->arg);
					ok = 0;
				}
				strbuf_release(&p);
				hay = file.buf;
			}
			l = lines_of(s->body.buf, &n);
			for (size_t k = 0; ok && k < n; k++) {
				struct strbuf needle = STRBUF_INIT;
				int found;
				subst(&needle, l[k], tmp);
				found = strstr(hay, needle.buf) != NULL;
				if (found == negate) {
					strbuf_addf(why, "%s %s \"%s\"", s->name, negate ? "has" : "lacks", needle.buf);
					ok = 0;
				}
				strbuf_release(&needle);
			}
			free_lines(l, n);
			strbuf_release(&file);
		} else if (!strcmp(s->name, "stderr-regex")) {
			l = lines_of(s->body.buf, &n);
			for (size_t k = 0; ok && k < n; k++) {
				regex_t re;
				struct strbuf pat = STRBUF_INIT;
				subst(&pat, l[k], tmp);
				if (regcomp(&re, pat.buf, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0) {
					strbuf_addf(why, "bad regex %s", pat.buf);
					ok = 0;
				} else {
					if (regexec(&re, err.buf, 0, NULL, 0) != 0) {
						strbuf_addf(why, "stderr does not match /%s/: %.300s", pat.buf, err.buf);
						ok = 0;
					}
					regfree(&re);
				}
				strbuf_release(&pat);
			}
			free_lines(l, n);
		} else if (!strcmp(s->name, "stderr-lines")) {
			int want = atoi(s->body.buf), got = 0;
			for (size_t k = 0; k < err.len; k++)
				got += err.buf[k] == '\n';
			if (got != want) {
				strbuf_addf(why, "stderr has %d lines, expected %d: %.300s", got, want, err.buf);
				ok = 0;
			}
		} else if (!strcmp(s->name, "stderr-empty")) {
			if (err.len) {
				strbuf_addf(why, "stderr not empty: %.300s", err.buf);
				ok = 0;
			}
		} else if (!strcmp(s->name, "no-file")) {
			struct stat st;
			struct strbuf p = STRBUF_INIT;
			strbuf_addf(&p, "%s/%s", tmp, s->arg ? s->arg : "");
			if (stat(p.buf, &st) == 0) {
				strbuf_addf(why, "%s exists", s->arg);
				ok = 0;
			}
			strbuf_release(&p);
		}
	}
	/* nothing half-written: no temp files left next to outputs */
	if (ok) {
		DIR *d = opendir(tmp);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (strstr(de->d_name, ".tmp")) {
				strbuf_addf(why, "left a temporary file %s", de->d_name);
				ok = 0;
			}
		}
		if (d)
			closedir(d);
	}
	if (!ok && getenv("MCA_CASE_VERBOSE"))
		fprintf(stderr, "--- stdout\n%s\n--- stderr\n%s\n", out.buf, err.buf);
	free_argv(argv);
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&e2);
	return ok;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_case(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && !strcmp(d->d_name + n - 5, ".case");
}

int main(int argc, char **argv)
{
	const char *bin = getenv("MCA_BIN"), *src = getenv("MCA_SRCDIR");
	struct strbuf dir = STRBUF_INIT;
	struct dirent **list;
	int n, passed = 0, failed = 0;

	if (!bin)
		bin = "./modsec-callback-audit";
	strbuf_addf(&dir, "%s/testdata/cases", src ? src : ".");
	n = scandir(dir.buf, &list, is_case, by_name);
	if (n < 0) {
		fprintf(stderr, "run-cases: %s: %s\n", dir.buf, strerror(errno));
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, why = STRBUF_INIT, e = STRBUF_INIT;
		struct testcase tc;
		const char *desc = "";
		int only = argc < 2;
		for (int k = 1; k < argc; k++)
			if (strstr(list[i]->d_name, argv[k]))
				only = 1;
		if (!only) {
			free(list[i]);
			continue;
		}
		strbuf_addf(&path, "%s/%s", dir.buf, list[i]->d_name);
		if (read_file(path.buf, &text, &e) < 0) {
			printf("FAIL %s: %s\n", list[i]->d_name, e.buf);
			failed++;
			continue;
		}
		parse_case(path.buf, text.buf, &tc);
		for (size_t s = 0; s < tc.n; s++)
			if (!strcmp(tc.s[s].name, "description")) {
				/* the first line; lines after it are the case's comments */
				strbuf_setlen(&tc.s[s].body, strcspn(tc.s[s].body.buf, "\n"));
				desc = tc.s[s].body.buf;
			}
		if (check_case(&tc, bin, &why)) {
			printf("PASS %s  %s\n", list[i]->d_name, desc);
			passed++;
		} else {
			printf("FAIL %s  %s\n     %s\n", list[i]->d_name, desc, why.buf);
			failed++;
		}
		fflush(stdout);
		free_case(&tc);
		strbuf_release(&path);
		strbuf_release(&text);
		strbuf_release(&why);
		strbuf_release(&e);
		free(list[i]);
	}
	free(list);
	strbuf_release(&dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
