/*
 * Unit tests (Check): one suite per module, all run by tests/unit.c.
 *
 * Every test drives the real code: the real libmodsecurity, Debian's real
 * OWASP CRS 3.3.4 and the shipped data (callbacks/, rules/demo/). Nothing
 * is mocked. The helpers below are shared by the suites and live in unit.c.
 */
#ifndef MCA_UNIT_H
#define MCA_UNIT_H

#include <check.h>

#include "catalog.h"
#include "engine.h"
#include "ruleset.h"

Suite *catalog_suite(void);
Suite *request_suite(void);
Suite *logline_suite(void);
Suite *ruleset_suite(void);
Suite *verdict_suite(void);
Suite *exclusion_suite(void);
Suite *ftw_suite(void);
Suite *probe_suite(void);
Suite *speed_suite(void);
Suite *reports_suite(void);
Suite *fleet_suite(void);
Suite *fileio_suite(void);
Suite *logs_suite(void);

/* Debian's CRS loader: crs-setup.conf, the exclusion files, every rule file. */
#define UNIT_CRS_LOAD "/usr/share/modsecurity-crs/owasp-crs.load"

/* $MCA_SRCDIR / $MCA_DATADIR, "." when unset. */
const char *unit_srcdir(void);
const char *unit_datadir(void);
/* A file of the shipped data ("callbacks/stripe.yaml"), malloc'd. */
char *unit_data_path(const char *rel);

/* A temporary directory (mkdtemp under /tmp) for one test case: add
 *   tcase_add_unchecked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
 * Unchecked fixtures run in the parent process, so the directory is
 * removed even when a test fails. */
void unit_tmp_setup(void);
void unit_tmp_teardown(void);
const char *unit_tmpdir(void);
/* Write `text` to `rel` under the temporary directory (creating parent
 * directories); returns the full path, malloc'd. */
char *unit_write(const char *rel, const char *text);

/* The shipped catalogue, loaded (fails the test when it does not load). */
void unit_catalog(struct catalog *c);

/* A fresh engine with `before` (may be NULL) and then every unit of `rs`
 * loaded; fails the test when libmodsecurity refuses any of it. */
struct engine *unit_engine(const struct ruleset *rs, const char *before);

/* Load a file / text into `rs`; fails the test on error. */
void unit_ruleset_file(struct ruleset *rs, const char *path);
void unit_ruleset_text(struct ruleset *rs, const char *text);

/* The demo server as the tool loads it: modsecurity.conf, the Comodo-style
 * set, and (when with_crs) crs.conf, one unit each. */
void unit_demo_ruleset(struct ruleset *rs, int with_crs);

#endif
