#include "overrides.h"
#include "util/fileio.h"
#include "util/yamlload.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int fail(struct strbuf *err, const char *file, const yaml_node_t *n, const char *msg,
		const char *arg)
{
	strbuf_addf(err, "%s:%d: ", file, n ? (int)n->start_mark.line + 1 : 1);
	strbuf_addf(err, msg, arg);
	return -1;
}

static const char *sval(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int number(const yaml_node_t *n, long *out)
{
	const char *s = sval(n);
	char *e;
	if (!s || !*s)
		return -1;
	*out = strtol(s, &e, 10);
	return *e ? -1 : 0;
}

/* A number or a list of them, replacing what `v` held: a key given twice
 * (which the YAML guard refuses anyway) must never write past the list
 * the first one allocated. */
static int numbers(yaml_document_t *d, yaml_node_t *n, long **v, size_t *nv)
{
	size_t alloc = 0;
	free(*v);
	*v = NULL;
	*nv = 0;
	if (n->type == YAML_SCALAR_NODE) {
		*v = xmalloc(sizeof(long));
		*nv = 1;
		return number(n, *v);
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return -1;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		ARRAY_PUSH(*v, *nv, alloc);
		if (number(yaml_document_get_node(d, *it), &(*v)[*nv]) < 0)
			return -1;
		(*nv)++;
	}
	return 0;
}

/* A key go-ftw's YAML reader ignores: a warning line (print_warnings). */
static void unknown(struct strbuf *warn, const char *file, const yaml_node_t *k, const char *where,
		    const char *known)
{
	if (warn)
		strbuf_addf(warn, "%s:%d: unknown key \"%s\" in %s (%s): ignored, as go-ftw does\n", file,
			    (int)k->start_mark.line + 1, sval(k) ? sval(k) : "?", where, known);
}

static int parse_override(yaml_document_t *d, yaml_node_t *n, const char *file,
			  struct ftw_override *ov, struct strbuf *err, struct strbuf *warn)
{
	int have_rule = 0;
	memset(ov, 0, sizeof(*ov));
	ov->line = (int)n->start_mark.line + 1;
	ov->out.expect_error = -1;
	if (n->type != YAML_MAPPING_NODE)
		return fail(err, file, n, "%s", "an override must be a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
		const char *key = sval(k);
		if (!key)
			return fail(err, file, k, "%s", "expected a key");
		if (!strcmp(key, "rule_id")) {
			if (number(v, &ov->rule_id) < 0)
				return fail(err, file, v, "%s", "rule_id must be a number");
			have_rule = ov->has_rule = 1;
		} else if (!strcmp(key, "test_ids") || !strcmp(key, "stage_ids")) {
			int t = key[0] == 't';
			if (numbers(d, v, t ? &ov->test_ids : &ov->stage_ids,
				    t ? &ov->ntest_ids : &ov->nstage_ids) < 0)
				return fail(err, file, v, "%s must be a list of numbers", key);
		} else if (!strcmp(key, "reason")) {
			if (!sval(v))
				return fail(err, file, v, "%s", "reason must be a string");
			free(ov->reason);
			ov->reason = xstrdup(sval(v));
		} else if (!strcmp(key, "expect_failure")) {
			const char *s = sval(v);
			if (!s || (strcmp(s, "true") && strcmp(s, "false")))
				return fail(err, file, v, "%s", "expect_failure must be true or false");
			ov->expect_failure = !strcmp(s, "true");
		} else if (!strcmp(key, "output")) {
			ftw_output_release(&ov->out);
			if (ftw_parse_output(d, v, file, FTW_V2, &ov->out, err) < 0)
				return -1;
			ov->has_output = 1;
		} else if (strcmp(key, "retry_once")) {
			/* retry_once: in go-ftw's schema; one run here is final */
			unknown(warn, file, k, "an override",
				"rule_id, test_ids, stage_ids, reason, expect_failure, output, retry_once");
		}
	}
	/* go-ftw reads it as rule 0, which no test has: it applies to none */
	if (!have_rule && warn)
		strbuf_addf(warn, "%s:%d: an override without rule_id applies to no test (as in go-ftw)\n",
			    file, ov->line);
	/* go-ftw accepts an override without a reason, and one without
	 * output: its empty output replaces the test's (nothing is checked) */
	if (!ov->reason)
		ov->reason = xstrdup("");
	if (!ov->has_output && !ov->expect_failure)
		ov->has_output = 1;
	return 0;
}

static int is_null(const yaml_node_t *n)
{
	const char *s = sval(n);
	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

static int parse_root(yaml_document_t *d, yaml_node_t *root, struct ftw_overrides *o,
		      struct strbuf *err, struct strbuf *warn)
{
	const char *file = o->file;
	/* an empty file (or all comments) overrides nothing, as in go-ftw */
	if (!root || is_null(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail(err, file, root, "%s", "an overrides file is a mapping with test_overrides:");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
		const char *key = sval(k);
		if (!key)
			return fail(err, file, k, "%s", "expected a key");
		if (!strcmp(key, "version") || !strcmp(key, "meta"))
			continue;
		if (!strcmp(key, "test_overrides") && is_null(v))
			continue;
		if (!strcmp(key, "test_overrides")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(err, file, v, "%s", "test_overrides must be a list");
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
				if (parse_override(d, yaml_document_get_node(d, *it), file, &o->v[o->n++], err, warn) < 0)
					return -1;
			}
		} else if (!strcmp(key, "ignore")) {
			if (v->type != YAML_MAPPING_NODE)
				return fail(err, file, v, "%s", "ignore must map test-id regexes to reasons");
			for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
				yaml_node_t *rk = yaml_document_get_node(d, q->key), *rv = yaml_document_get_node(d, q->value);
				struct strbuf why = STRBUF_INIT;
				struct ftw_ignore *ig;
				if (!sval(rk) || !sval(rv) || !*sval(rv))
					return fail(err, file, rk, "%s", "ignore: each entry is \"test-id regex\": \"reason\"");
				o->ignore = xrealloc(o->ignore, (o->nignore + 1) * sizeof(*o->ignore));
				ig = &o->ignore[o->nignore++];
				ig->reason = xstrdup(sval(rv));
				if (ftw_regex_compile(&ig->re, sval(rk), &why) < 0) {
					fail(err, file, rk, "ignore: %s", why.buf);
					strbuf_release(&why);
					return -1;
				}
			}
		} else {
			unknown(warn, file, k, "the overrides file", "version, meta, test_overrides, ignore");
		}
	}
	return 0;
}

int overrides_load(struct ftw_overrides *o, const char *path, struct strbuf *err,
		   struct strbuf *warn)
{
	struct strbuf text = STRBUF_INIT;
	yaml_document_t doc;
	int ret;

	memset(o, 0, sizeof(*o));
	o->file = xstrdup(path);
	if (read_file(path, &text, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	if (yaml_load_strict(&doc, path, text.buf, text.len, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	ret = parse_root(&doc, yaml_document_get_root_node(&doc), o, err, warn);
	yaml_document_delete(&doc);
	strbuf_release(&text);
	return ret;
}

void overrides_release(struct ftw_overrides *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].test_ids);
		free(o->v[i].stage_ids);
		free(o->v[i].reason);
		ftw_output_release(&o->v[i].out);
	}
	free(o->v);
	for (size_t i = 0; i < o->nignore; i++) {
		ftw_regex_release(&o->ignore[i].re);
		free(o->ignore[i].reason);
	}
	free(o->ignore);
	free(o->file);
	memset(o, 0, sizeof(*o));
}

static int has(const long *v, size_t n, long x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

size_t overrides_apply(const struct ftw_overrides *o, struct ftw_suite *s)
{
	size_t count = 0;
	for (size_t f = 0; f < s->nfiles; f++) {
		for (size_t t = 0; t < s->files[f].ntests; t++) {
			struct ftw_test *test = &s->files[f].tests[t];
			for (size_t i = 0; i < o->nignore && !test->skip; i++)
				if (ftw_regex_match(&o->ignore[i].re, test->id, strlen(test->id)))
					test->skip = xasprintf("ignored: %s", o->ignore[i].reason);
			for (size_t i = 0; i < o->n; i++) {
				const struct ftw_override *ov = &o->v[i];
				if (!ov->has_rule || ov->rule_id != test->rule_id ||
				    (ov->ntest_ids && !has(ov->test_ids, ov->ntest_ids, test->test_id)))
					continue;
				free(test->override);
				test->override = xstrdup(*ov->reason ? ov->reason : "an override without a reason");
				test->expect_failure = ov->expect_failure;
				if (ov->has_output)
					for (size_t st = 0; st < test->nstages; st++)
						/* stage_ids index the stages from 0, as go-ftw's
						 * basicApplyPlatformOverrides does */
						if (!ov->nstage_ids || has(ov->stage_ids, ov->nstage_ids, (long)st))
							test->stages[st].out_override = &ov->out;
				count++;
			}
		}
	}
	return count;
}
