/*
 * ftw_read: the test-file reader's private parts, shared by the stages of
 * its pipeline (not for use outside src/ftw_*.c and src/ftwtest.c):
 *
 *   ftw_yaml.c      YAML access: typed getters that name file:line on error
 *   ftw_template.c  expansion of go-ftw's `data` templates (ftw_template.h)
 *   ftw_output.c    expectations: `output` -> struct ftw_output, regexes
 *   ftw_stage.c     input -> the request on the wire -> what the platform's
 *                   server hands the WAF (platform.h); one stage
 *   ftwtest.c       tests, files, directories: the suite (ftwtest.h)
 *
 * Invariants every reader keeps:
 *   - a getter either succeeds, or appends exactly one "file:line: reason"
 *     to y->err and returns -1; nothing else writes y->err;
 *   - what go-ftw ignores (an unknown key) is a warning line in y->warn
 *     (dropped when NULL), never an error;
 *   - on error the caller's object stays releasable (partly filled, never
 *     half-freed): the caller releases it as a whole.
 * Nodes belong to y->doc (libyaml) and live as long as it does; nothing
 * read keeps a pointer into it (strings are copied).
 */
#ifndef MCA_FTW_READ_H
#define MCA_FTW_READ_H

#include <stddef.h>
#include <yaml.h>
#include "ftwtest.h"

struct yctx {
	yaml_document_t *doc;
	const char *file;
	struct strbuf *err;
	struct strbuf *warn;	/* NULL: warnings are dropped */
	enum ftw_dialect d;
	enum platform platform;
};

/* One loop each (the node is bound by an inner loop that runs once), and
 * `break` leaves the whole iteration: brk_ stays set when the body breaks
 * out of the inner loop, and the outer condition sees it. */
#define FOR_PAIRS(y, map, k, v) \
	for (yaml_node_pair_t *p_ = (map)->data.mapping.pairs.start, brk_ = { 0, 0 }; \
	     !brk_.key && p_ < (map)->data.mapping.pairs.top; p_++) \
		for (yaml_node_t *k = (brk_.key = 1, yaml_document_get_node((y)->doc, p_->key)), \
		     *v = yaml_document_get_node((y)->doc, p_->value); brk_.key; brk_.key = 0)

#define FOR_ITEMS(y, seq, v) \
	for (yaml_node_item_t *i_ = (seq)->data.sequence.items.start, brk_ = 0; \
	     !brk_ && i_ < (seq)->data.sequence.items.top; i_++) \
		for (yaml_node_t *v = (brk_ = 1, yaml_document_get_node((y)->doc, *i_)); brk_; brk_ = 0)

/* ---- ftw_yaml.c ---- */
int ftwy_fail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A key go-ftw does not know: a warning, returns 0. */
int ftwy_unknown(struct yctx *y, const yaml_node_t *k, const char *where, const char *known);
/* The scalar's text; NULL when `n` is not a scalar. */
const char *ftwy_sval(const yaml_node_t *n);
/* A plain empty, ~ or null scalar. */
int ftwy_is_null(const yaml_node_t *n);
int ftwy_want_map(struct yctx *y, yaml_node_t *n, const char *key);
int ftwy_get_string(struct yctx *y, yaml_node_t *n, const char *key, char **out);
/* Decimal, the whole string; -1 otherwise (no error text). */
int ftwy_parse_long(const char *s, long *out);
int ftwy_get_long(struct yctx *y, yaml_node_t *n, const char *key, long *out);
int ftwy_get_bool(struct yctx *y, yaml_node_t *n, const char *key, int *out);
/* A number or a list of them, appended to *v. */
int ftwy_get_longs(struct yctx *y, yaml_node_t *n, const char *key, long **v, size_t *nv);
/* A regex or a list of them, compiled and appended to *v (a regex that
 * fails to compile is counted in *nv, so releasing frees it). */
int ftwy_get_regexes(struct yctx *y, yaml_node_t *n, const char *key,
		     struct ftw_regex **v, size_t *nv);
/* A string, or (legacy) a list of lines joined by CRLF; replaces *out. */
int ftwy_get_text(struct yctx *y, yaml_node_t *n, const char *key, struct strbuf *out);
int ftwy_get_base64(struct yctx *y, yaml_node_t *n, const char *key, struct strbuf *out);
/* A mapping (in file order) or a list of {name, value}, appended. */
int ftwy_get_headers(struct yctx *y, yaml_node_t *n, const char *key, struct header **h,
		     size_t *nh, size_t *ah);
/* Is `s` one of the NULL-terminated `list`? */
int ftwy_in_list(const char *s, const char *const *list);

/* ---- ftw_output.c ---- */
/* `n` (an output mapping, or null: nothing checked) into `o`, which it
 * initialises first. */
int ftwy_parse_output(struct yctx *y, yaml_node_t *n, struct ftw_output *o);

/* ---- ftw_stage.c ---- */
/* One stage (wrapped in legacy `stage:` or not): its request is built
 * and read by y->platform's server. `st` is always releasable after. */
int ftw_parse_stage(struct yctx *y, yaml_node_t *n, struct ftw_stage *st);
void ftw_stage_release(struct ftw_stage *st);

#endif
