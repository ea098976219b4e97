/*
 * ftwcheck: does a stage's result satisfy its expected output?
 *
 * Every expectation given is checked and every failed one is named:
 *   status             the status the client received is one of them
 *   log.expect_ids     each fired (has a log line with [id "N"])
 *   log.no_expect_ids  none fired
 *   log_contains, log.match_regex        each matches the stage's log
 *   no_log_contains, log.no_match_regex  none matches it
 *   response_contains  matches the response as received (status line,
 *                      headers, body)
 *   expect_error       true: the connection closed without an answer;
 *                      false or unset: it did not (an unexpected error
 *                      fails the stage, as in go-ftw)
 *   isolated           no rule fired but those in expect_ids, CRS's
 *                      scoring and reporting rules (949xxx, 959xxx,
 *                      980xxx) aside
 * Regexes match the log as one text, lines separated by '\n' (PCRE2,
 * no flags: '.' stops at a line end).
 */
#ifndef MCA_FTWCHECK_H
#define MCA_FTWCHECK_H

#include "ftwtest.h"
#include "server.h"
#include "util/strbuf.h"

/* 1 when `r` satisfies `o`; 0 with the reasons, "; "-separated, appended
 * to `why`, e.g. "expected 942100 to fire (fired: 920350 949110)". */
int ftw_check(const struct ftw_output *o, const struct stage_result *r, struct strbuf *why);

/* The fired ids as "920350 949110" ("none" when none), appended to `out`. */
void ftw_fired_list(const struct stage_result *r, struct strbuf *out);

#endif
