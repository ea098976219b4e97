/*
 * ftwtest: tests, files and directories -> the suite (ftwtest.h). The last
 * step of the reader (ftw_read.h lists the others): a file's dialect, its
 * tests and their ids, a refused file kept as one broken test.
 *
 * Invariants: a file is added to the suite whole or not at all (a refused
 * one as a single broken test, with a warning line); a test's `file`
 * points at its ftw_file's path, fixed up after the file moves into the
 * suite's array; directories load in name order, so reports are stable.
 */
#include "ftwtest.h"
#include "ftw_read.h"
#include "util/fileio.h"
#include "util/yamlload.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

const char *ftw_dialect_name(enum ftw_dialect d)
{
	return d == FTW_V2 ? "go-ftw v2" : "legacy ftw";
}

/* ---- tests, files ---- */

static void test_release(struct ftw_test *t)
{
	free(t->id);
	free(t->desc);
	for (size_t i = 0; i < t->nstages; i++)
		ftw_stage_release(&t->stages[i]);
	free(t->stages);
	free(t->skip);
	free(t->override);
	free(t->broken);
}

/* The leading digits of `s` (a title), 0 when none. */
static long leading_number(const char *s)
{
	return isdigit((unsigned char)*s) ? strtol(s, NULL, 10) : 0;
}

/* The first run of digits in `s` (a file name: go-ftw's `\d+`), 0 when none. */
static long first_number(const char *s)
{
	while (*s && !isdigit((unsigned char)*s))
		s++;
	return *s ? strtol(s, NULL, 10) : 0;
}

static int parse_test(struct yctx *y, yaml_node_t *n, struct ftw_file *f, size_t index,
		      struct ftw_test *t)
{
	char *title = NULL, *id = NULL;
	int have_id = 0;

	memset(t, 0, sizeof(*t));
	t->line = (int)n->start_mark.line + 1;
	t->file = f->path;
	t->test_id = -1;
	if (ftwy_want_map(y, n, "a test") < 0)
		return -1;
	FOR_PAIRS(y, n, k, v) {
		const char *key = ftwy_sval(k);
		int r = 0;
		/* errors set r: title and id are freed below */
		if (!key)
			r = ftwy_fail(y, k, "expected a key");
		/* each dialect's identity key is read (and ignored) in the other,
		 * as go-ftw does with the deprecated test_title */
		else if (!strcmp(key, "test_title"))
			r = ftwy_get_string(y, v, key, &title);
		else if (!strcmp(key, "test_id")) {
			r = ftwy_get_string(y, v, key, &id);
			have_id = 1;
		} else if (!strcmp(key, "desc") || !strcmp(key, "description")) {
			/* description: the name schema v3 gives desc */
			r = ftwy_get_string(y, v, key, &t->desc);
		} else if (!strcmp(key, "stages") && v->type != YAML_SEQUENCE_NODE) {
			r = ftwy_fail(y, v, "stages must be a list");
		} else if (!strcmp(key, "stages")) {
			FOR_ITEMS(y, v, it) {
				t->stages = xrealloc(t->stages, (t->nstages + 1) * sizeof(*t->stages));
				r = ftw_parse_stage(y, it, &t->stages[t->nstages]);
				t->nstages++;
				if (r < 0)
					break;
			}
		} else if (strcmp(key, "tags") && strcmp(key, "enabled")) {
			ftwy_unknown(y, k, "test", "test_id, desc, description, stages, tags");
		}
		if (r < 0) {
			free(title);
			free(id);
			return -1;
		}
	}
	if (y->d == FTW_LEGACY) {
		const char *dash;
		if (!title) {
			free(id);
			return ftwy_fail(y, n, "test without test_title");
		}
		free(id);
		t->id = title;
		t->rule_id = leading_number(title);
		dash = strrchr(title, '-');
		if (dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
			t->test_id = strtol(dash + 1, NULL, 10);
	} else {
		/* go-ftw: a test without test_id is numbered by its position */
		free(title);
		if (!have_id || !id || !*id) {
			free(id);
			id = xasprintf("%zu", index + 1);
		}
		if (ftwy_parse_long(id, &t->test_id) < 0)
			t->test_id = -1;
		t->rule_id = f->rule_id;
		t->id = xasprintf("%ld-%s", f->rule_id, id);
		free(id);
	}
	/* go-ftw runs no stage and counts the test passed: skip it, saying why */
	if (!t->nstages)
		t->skip = xstrdup("no stages: nothing to run");
	return 0;
}

/* Which dialect: rule_id at the top, or the first test's identity key. */
static enum ftw_dialect detect(struct yctx *y, yaml_node_t *root, yaml_node_t *tests)
{
	FOR_PAIRS(y, root, k, v) {
		(void)v;
		if (ftwy_sval(k) && !strcmp(ftwy_sval(k), "rule_id"))
			return FTW_V2;
	}
	if (tests && tests->type == YAML_SEQUENCE_NODE &&
	    tests->data.sequence.items.top > tests->data.sequence.items.start) {
		yaml_node_t *t = yaml_document_get_node(y->doc, tests->data.sequence.items.start[0]);
		if (t && t->type == YAML_MAPPING_NODE) {
			FOR_PAIRS(y, t, k, v) {
				(void)v;
				if (ftwy_sval(k) && !strcmp(ftwy_sval(k), "test_title"))
					return FTW_LEGACY;
			}
		}
	}
	return FTW_V2;
}

static int parse_file(struct yctx *y, yaml_node_t *root, struct ftw_file *f)
{
	yaml_node_t *tests = NULL;
	int enabled = 1;
	const char *base;

	/* go-ftw: an empty document (a file all comments, as CRS 4.25's
	 * 920539.yaml) or one without tests: is a file of no tests */
	if (!root || ftwy_is_null(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return ftwy_fail(y, root, "an ftw test file is a mapping with tests:");
	FOR_PAIRS(y, root, k, v) {
		const char *key = ftwy_sval(k);
		if (!key)
			return ftwy_fail(y, k, "expected a key");
		if (!strcmp(key, "tests") && !ftwy_is_null(v)) {
			if (v->type != YAML_SEQUENCE_NODE)
				return ftwy_fail(y, v, "tests must be a list");
			tests = v;
		}
	}
	y->d = f->dialect = detect(y, root, tests);
	base = strrchr(f->path, '/');
	base = base ? base + 1 : f->path;
	f->rule_id = first_number(base);
	FOR_PAIRS(y, root, k, v) {
		const char *key = ftwy_sval(k);
		if (!strcmp(key, "rule_id")) {
			if (ftwy_get_long(y, v, key, &f->rule_id) < 0)
				return -1;
		} else if (!strcmp(key, "meta")) {
			/* an empty meta: is no meta (CRS 4.20's 932271.yaml) */
			if (ftwy_is_null(v))
				continue;
			if (ftwy_want_map(y, v, "meta") < 0)
				return -1;
			/* enabled: false disables a legacy file; go-ftw ignores it
			 * (deprecated in schema v2: overrides do that now) */
			FOR_PAIRS(y, v, mk, mv) {
				if (f->dialect == FTW_LEGACY && ftwy_sval(mk) && !strcmp(ftwy_sval(mk), "enabled") &&
				    ftwy_get_bool(y, mv, "enabled", &enabled) < 0)
					return -1;
			}
		} else if (strcmp(key, "tests")) {
			ftwy_unknown(y, k, "the file", "meta, rule_id, tests");
		}
	}
	if (f->dialect == FTW_V2 && f->rule_id <= 0)
		return ftwy_fail(y, root, "no rule_id, and the file name does not start with one");
	if (!tests)
		return 0;
	FOR_ITEMS(y, tests, it) {
		struct ftw_test *t;
		f->tests = xrealloc(f->tests, (f->ntests + 1) * sizeof(*f->tests));
		t = &f->tests[f->ntests];
		if (parse_test(y, it, f, f->ntests, t) < 0) {
			f->ntests++;
			return -1;
		}
		f->ntests++;
		if (!enabled && !t->skip)	/* one reason: a test without stages has its own */
			t->skip = xstrdup("disabled in the file's meta (enabled: false)");
	}
	return 0;
}

void ftw_suite_init(struct ftw_suite *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->warnings, 0);
	s->platform = PLATFORM_NGINX;
}

static void file_release(struct ftw_file *f)
{
	for (size_t i = 0; i < f->ntests; i++)
		test_release(&f->tests[i]);
	free(f->tests);
	free(f->path);
}

void ftw_suite_release(struct ftw_suite *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		file_release(&s->files[i]);
	free(s->files);
	strbuf_release(&s->warnings);
	ftw_suite_init(s);
}

int ftw_load_text(struct ftw_suite *s, const char *path, const char *text, size_t len,
		  struct strbuf *err)
{
	yaml_document_t doc;
	struct ftw_file f;
	struct yctx y;
	int ret;

	memset(&f, 0, sizeof(f));
	f.path = xstrdup(path);
	if (yaml_load_strict(&doc, path, text, len, err) < 0) {
		file_release(&f);
		return -1;
	}
	y.doc = &doc;
	y.file = f.path;
	y.err = err;
	y.warn = &s->warnings;
	y.d = FTW_V2;
	y.platform = s->platform;
	ret = parse_file(&y, yaml_document_get_root_node(&doc), &f);
	yaml_document_delete(&doc);
	if (ret < 0) {
		file_release(&f);
		return -1;
	}
	ARRAY_PUSH(s->files, s->nfiles, s->afiles);
	s->files[s->nfiles++] = f;
	/* the tests point at their file's path: fix them up after the move */
	for (size_t i = 0; i < f.ntests; i++)
		s->files[s->nfiles - 1].tests[i].file = s->files[s->nfiles - 1].path;
	return 0;
}

/* Keep a refused file as one broken test, so the report counts it
 * failed with its reason, and say so in the warnings. */
static void refuse_file(struct ftw_suite *s, const char *path, const char *why)
{
	struct ftw_file f;
	struct ftw_test *t;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	memset(&f, 0, sizeof(f));
	f.path = xstrdup(path);
	f.tests = t = xcalloc(1, sizeof(*t));
	f.ntests = 1;
	t->id = xstrdup(base);
	t->rule_id = f.rule_id = first_number(base);
	t->test_id = -1;
	t->file = f.path;
	t->line = 1;
	{
		const char *colon = strncmp(why, path, strlen(path)) ? NULL : why + strlen(path);
		if (colon && *colon == ':')
			t->line = atoi(colon + 1) > 0 ? atoi(colon + 1) : 1;
	}
	t->broken = xstrdup(why);
	strbuf_addf(&s->warnings, "%s (the file is refused: its tests count as failed)\n", why);
	ARRAY_PUSH(s->files, s->nfiles, s->afiles);
	s->files[s->nfiles++] = f;
	s->files[s->nfiles - 1].tests[0].file = s->files[s->nfiles - 1].path;
	s->nrefused++;
}

static void load_file(struct ftw_suite *s, const char *path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		strbuf_addf(&err, "%s: not a regular file", path);
	else if (read_file(path, &text, &err) == 0)
		ftw_load_text(s, path, text.buf, text.len, &err);
	if (err.len)
		refuse_file(s, path, err.buf);
	strbuf_release(&text);
	strbuf_release(&err);
}

static void load_dir(struct ftw_suite *s, const char *path)
{
	struct dirent **list;
	int n = scandir(path, &list, NULL, alphasort);
	if (n < 0) {
		char *why = xasprintf("%s: cannot read the directory", path);
		refuse_file(s, path, why);
		free(why);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);
		if (name[0] != '.') {
			char *sub = xasprintf("%s/%s", path, name);
			struct stat ss;
			if (stat(sub, &ss) == 0 && S_ISDIR(ss.st_mode))
				load_dir(s, sub);
			else if ((len > 5 && !strcmp(name + len - 5, ".yaml")) ||
				 (len > 4 && !strcmp(name + len - 4, ".yml")))
				load_file(s, sub);
			free(sub);
		}
		free(list[i]);
	}
	free(list);
}

int ftw_suite_load(struct ftw_suite *s, const char *const *paths, size_t n, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0) {
			strbuf_addf(err, "%s: no such file or directory", paths[i]);
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			load_dir(s, paths[i]);
		else
			load_file(s, paths[i]);
	}
	return 0;
}

