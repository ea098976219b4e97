/*
 * ftwtest: WAF regression tests in both ftw dialects -> requests + expectations.
 *
 * Two dialects, told apart per file by how its tests name themselves:
 *   - go-ftw's schema v2 (CRS >= 4.5): `rule_id` (or the file name's
 *     leading digits), `tests[].test_id`, `stages[].input/output`,
 *     `output.log.{expect_ids,no_expect_ids,match_regex,no_match_regex}`;
 *   - the legacy python-ftw dialect (every CRS 3.3 test): `test_title`,
 *     `stages[].stage.{input,output}`, `log_contains`/`no_log_contains`
 *     regexes, `status` an int or a list, `data` a string or a list of
 *     lines joined by CRLF, `stop_magic`.
 * Both shapes of a stage (with and without the `stage:` wrapper) are read
 * in both dialects (go-ftw issue #309 reads a wrapped stage as empty).
 *
 * Everything is checked while loading. What go-ftw refuses (a bad value,
 * a regex PCRE2 refuses, base64 that is not base64, YAML that is not
 * YAML) refuses the file, naming file:line: ftw_suite_load keeps the file
 * as one broken test that fails with that reason, and the other files
 * run (one bad file never aborts a run of thousands). What go-ftw
 * accepts is accepted: a key it does not know is ignored with a warning
 * (ftw_suite.warnings), an empty `meta:` is no meta, a test without
 * test_id is numbered by its position, a stage without output checks
 * nothing. Keys that only matter to a runner talking HTTP (protocol,
 * save_cookie, follow_redirect, retry_once, virtual_host_mode, ...) are
 * accepted and ignored.
 *
 * Each stage's request is built at load time, as it goes on the wire:
 * from input fields (then go-ftw's header autocompletion, request.h,
 * unless `autocomplete_headers: false` / `stop_magic: true`), or from
 * `encoded_request` (else legacy `raw_request`). Either way the bytes
 * go-ftw would send are then read the way the suite's platform reads
 * them (platform.h): the stage's request is what that server hands to
 * the WAF, or `refused` with the server's own answer. As in go-ftw, a
 * raw request wins: method, uri, version,
 * headers beside it are ignored; `data` beside it fails the stage
 * (`invalid`, go-ftw's sanity check).
 *
 * Ownership: an ftw_suite owns its files, tests, stages, requests and
 * compiled regexes; ftw_suite_release frees them all. Compiled regexes are
 * only read after loading, so threads may match them concurrently (each
 * with its own match data).
 */
#ifndef MCA_FTWTEST_H
#define MCA_FTWTEST_H

#include <stddef.h>
#include "platform.h"
#include "request.h"
#include "util/strbuf.h"

enum ftw_dialect { FTW_V2, FTW_LEGACY };
const char *ftw_dialect_name(enum ftw_dialect d);

struct ftw_regex {
	char *src;
	void *code;		/* pcre2_code_8 *, compiled while loading */
};

/* What must hold after a stage. Unset parts are not checked. */
struct ftw_output {
	int *status;		/* any of these (legacy lists); none = unchecked */
	size_t nstatus;
	long *expect_ids, *no_expect_ids;
	size_t nexpect, nno_expect;
	struct ftw_regex *log_match;	/* log_contains, log.match_regex */
	struct ftw_regex *log_no_match;	/* no_log_contains, log.no_match_regex */
	size_t nlog_match, nlog_no_match;
	struct ftw_regex *response_contains;	/* NULL when unset */
	int expect_error;	/* -1 unset (an error fails), 0, 1 */
	int isolated;		/* only expect_ids may fire (see ftwcheck.h) */
	int line;		/* where the output starts */
};

struct ftw_stage {
	struct request req;	/* as sent (autocompleted or parsed from raw) */
	int refused;		/* the server answers itself (platform.h) */
	int refused_status;	/* with this status (400, 405, 414, 501, 505); 0: no answer */
	char *refused_why;
	int http09;		/* an HTTP/0.9 answer: no status line, the client errs */
	int body_timeout;	/* the body never completes: the client times out */
	int handler_status;	/* the server's handler answers this, not the backend */
	char *invalid;		/* go-ftw refuses to run this stage: why */
	int has_response;	/* input.response given: the backend's answer */
	struct response resp;
	struct ftw_output out;
	const struct ftw_output *out_override;	/* replaces `out`; owned by the overrides */
	int line;
};

struct ftw_test {
	char *id;		/* "942100-1": rule id and test id, or the title */
	long rule_id;		/* 0 when unknown */
	long test_id;		/* -1 when the id has no number */
	char *desc;
	const char *file;	/* the file's path (owned by the ftw_file) */
	int line;
	struct ftw_stage *stages;
	size_t nstages;
	char *skip;		/* non-NULL: not run, and why */
	int filtered;		/* skipped by --include/--exclude (not listed in text) */
	char *override;		/* non-NULL: output replaced by an override, why */
	int expect_failure;	/* an override says this test is known to fail */
	char *broken;		/* the file was refused: this stands for its tests, and why */
};

struct ftw_file {
	char *path;
	enum ftw_dialect dialect;
	long rule_id;
	struct ftw_test *tests;
	size_t ntests;
};

struct ftw_suite {
	struct ftw_file *files;
	size_t nfiles, afiles;
	size_t nrefused;	/* files refused (each kept as one broken test) */
	enum platform platform;	/* whose request reading (set before loading; nginx) */
	struct strbuf warnings;	/* "file:line: ...\n" lines: ignored keys, refusals */
};

void ftw_suite_init(struct ftw_suite *s);
void ftw_suite_release(struct ftw_suite *s);

/* Load test files: each path is a YAML file, or a directory searched
 * recursively for *.yaml and *.yml (in name order). A file that cannot be
 * read or is refused becomes one broken test (ftw_test.broken) and a line
 * in `warnings`; the others load. Returns -1 with the reason in `err`
 * only when a path given does not exist. */
int ftw_suite_load(struct ftw_suite *s, const char *const *paths, size_t n,
		   struct strbuf *err);

/* Load one file's text (`path` names it in errors). Returns -1 with
 * "file:line: reason" in `err` when the file is refused (nothing added). */
int ftw_load_text(struct ftw_suite *s, const char *path, const char *text,
		  size_t len, struct strbuf *err);

/* Compile `src` (PCRE2) into `re`. Returns -1 with the reason in `err`. */
int ftw_regex_compile(struct ftw_regex *re, const char *src, struct strbuf *err);
/* Does `re` match somewhere in [s, s+len)? Thread-safe. */
int ftw_regex_match(const struct ftw_regex *re, const char *s, size_t len);
void ftw_regex_release(struct ftw_regex *re);
void ftw_output_release(struct ftw_output *o);

/* Parse an `output` mapping from a YAML node of the document being read.
 * Shared with the overrides file (overrides.c); `ynode` is a yaml_node_t,
 * `ydoc` its yaml_document_t. */
int ftw_parse_output(void *ydoc, void *ynode, const char *file,
		     enum ftw_dialect d, struct ftw_output *o, struct strbuf *err);

#endif
