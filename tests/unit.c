/*
 * The unit test runner: one SRunner over every module's suite, plus the
 * helpers the suites share (see unit.h).
 */
#include "unit.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- where things are ---- */

static const char *env_or_dot(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : ".";
}

const char *unit_srcdir(void)
{
	return env_or_dot("MCA_SRCDIR");
}

const char *unit_datadir(void)
{
	return env_or_dot("MCA_DATADIR");
}

char *unit_data_path(const char *rel)
{
	return xasprintf("%s/%s", unit_datadir(), rel);
}

/* ---- temporary files ---- */

static char tmpdir[64];

void unit_tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/mca-unit-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		tmpdir[0] = '\0';
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void unit_tmp_teardown(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

const char *unit_tmpdir(void)
{
	ck_assert_msg(tmpdir[0], "no temporary directory (fixture missing?)");
	return tmpdir;
}

char *unit_write(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", unit_tmpdir(), rel);
	size_t base = strlen(unit_tmpdir()) + 1;
	FILE *f;

	/* mkdir -p for the directories inside the temporary directory */
	for (char *s = path + base; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		ck_assert_msg(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir %s: %s",
			      path, strerror(errno));
		*s = '/';
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* ---- loading real things ---- */

void unit_catalog(struct catalog *c)
{
	struct strbuf err = STRBUF_INIT;
	char *path = unit_data_path("callbacks");
	ck_assert_msg(catalog_load(c, path, &err) == 0, "catalog_load: %s", err.buf);
	strbuf_release(&err);
	free(path);
}

struct engine *unit_engine(const struct ruleset *rs, const char *before)
{
	struct strbuf err = STRBUF_INIT;
	struct engine *e = engine_new(&err);
	int line = 0;

	ck_assert_msg(e != NULL, "engine_new: %s", err.buf);
	if (before)
		ck_assert_msg(engine_add_rules(e, before, &line, &err) == 0,
			      "rules loaded first refused at line %d: %s", line, err.buf);
	for (size_t u = 0; rs && u < rs->nunits; u++)
		ck_assert_msg(engine_add_rules(e, rs->units[u].text.buf, &line, &err) == 0,
			      "unit %s refused at line %d: %s", rs->units[u].name, line, err.buf);
	strbuf_release(&err);
	return e;
}

void unit_ruleset_file(struct ruleset *rs, const char *path)
{
	struct strbuf err = STRBUF_INIT;
	ck_assert_msg(ruleset_add_file(rs, path, &err) == 0, "ruleset_add_file %s: %s", path, err.buf);
	strbuf_release(&err);
}

void unit_ruleset_text(struct ruleset *rs, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	ck_assert_msg(ruleset_add_text(rs, "(inline)", text, &err) == 0, "ruleset_add_text: %s", err.buf);
	strbuf_release(&err);
}

void unit_demo_ruleset(struct ruleset *rs, int with_crs)
{
	static const char *const units[] = {
		"rules/demo/modsecurity.conf",
		"rules/demo/comodo-style/rules.conf.main",
		"rules/demo/crs.conf",
	};
	ruleset_init(rs);
	for (size_t i = 0; i < (with_crs ? 3u : 2u); i++) {
		char *path = unit_data_path(units[i]);
		unit_ruleset_file(rs, path);
		free(path);
	}
}

int main(void)
{
	SRunner *sr = srunner_create(catalog_suite());
	int failed;

	srunner_add_suite(sr, request_suite());
	srunner_add_suite(sr, logline_suite());
	srunner_add_suite(sr, ruleset_suite());
	srunner_add_suite(sr, verdict_suite());
	srunner_add_suite(sr, exclusion_suite());
	srunner_add_suite(sr, ftw_suite());
	srunner_add_suite(sr, probe_suite());
	srunner_add_suite(sr, speed_suite());
	srunner_add_suite(sr, reports_suite());
	srunner_add_suite(sr, fleet_suite());
	srunner_add_suite(sr, fileio_suite());
	srunner_add_suite(sr, logs_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
