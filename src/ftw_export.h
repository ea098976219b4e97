/*
 * ftw_export: the audit's callbacks as go-ftw tests (schema v2), so an
 * admin can replay them against the live server with go-ftw, and our own
 * `test` command can replay them through the rules (a round trip that must
 * agree with the audit).
 *
 * One file, DIR/9847000-callbacks.yaml (go-ftw wants a rule id: the file
 * carries `rule_id: 9847000`, the crs-plugin dialect's block), one test per
 * callback and URL form, its request exactly as the audit sent it
 * (ordered_headers, no autocompletion), the shop's answer as
 * input.response, and the audit's verdict as the expected output: status,
 * and log.expect_ids with the disruptive rule when one disrupted (also
 * under DetectionOnly, where the status is the backend's).
 */
#ifndef MCA_FTW_EXPORT_H
#define MCA_FTW_EXPORT_H

#include "audit.h"
#include "util/strbuf.h"

/* The YAML text of the tests. */
void ftw_export_text(const struct audit *a, const char *version, struct strbuf *out);
/* Write it to DIR/9847000-callbacks.yaml (atomically). -1 with `err`. */
int ftw_export(const struct audit *a, const char *dir, const char *version, struct strbuf *err);

#endif
