/*
 * jsonargs_v2: msc_json.c's naming, on yajl's callbacks (see the header).
 * Each callback below mirrors the one of the same name in mod_security2
 * 2.9.7; NULL and "" differ there (a NULL key is a top-level value) and
 * here.
 */
#include "jsonargs_v2.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

struct v2json {
	char *prefix;		/* NULL: at the top level */
	char *current_key;	/* NULL: no key seen yet */
	long depth, depth_limit;
	int depth_exceeded;
	v2json_add_fn add;
	void *ctx;
};

static void set_str(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

static char *join(const char *a, const char *b)
{
	return xasprintf("%s.%s", a, b);
}

static int add_arg(struct v2json *j, const char *value, size_t len)
{
	if (!j->current_key)
		j->current_key = xstrdup("");
	if (j->prefix) {
		char *name = join(j->prefix, j->current_key);
		j->add(j->ctx, name, strlen(name), value, len);
		free(name);
	} else {
		j->add(j->ctx, j->current_key, strlen(j->current_key), value, len);
	}
	return 1;
}

static int cb_null(void *ctx)
{
	return add_arg(ctx, "", 0);
}

static int cb_boolean(void *ctx, int v)
{
	return v ? add_arg(ctx, "true", 4) : add_arg(ctx, "false", 5);
}

static int cb_number(void *ctx, const char *v, size_t len)
{
	return add_arg(ctx, v, len);
}

static int cb_string(void *ctx, const unsigned char *v, size_t len)
{
	return add_arg(ctx, (const char *)v, len);
}

static int cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct v2json *j = ctx;
	set_str(&j->current_key, xstrndup((const char *)key, len));
	return 1;
}

static int deeper(struct v2json *j)
{
	j->depth++;
	if (j->depth_limit > 0 && j->depth > j->depth_limit) {
		j->depth_exceeded = 1;
		return 0;
	}
	return 1;
}

static int cb_start_array(void *ctx)
{
	struct v2json *j = ctx;
	if (!j->current_key && !j->prefix) {
		set_str(&j->prefix, xstrdup("array"));
		set_str(&j->current_key, xstrdup("array"));
	} else if (j->prefix) {
		set_str(&j->prefix, join(j->prefix, j->current_key ? j->current_key : ""));
	} else {
		set_str(&j->prefix, xstrdup(j->current_key));
	}
	return deeper(j);
}

static int cb_end_array(void *ctx)
{
	struct v2json *j = ctx;
	char *sep;
	if (!j->prefix)
		return 1;
	sep = strrchr(j->prefix, '.');
	if (sep)
		*sep = '\0';	/* the prefix up to its last dot; the key stays */
	else
		set_str(&j->prefix, NULL);
	j->depth--;
	return 1;
}

static int cb_start_map(void *ctx)
{
	struct v2json *j = ctx;
	if (!j->current_key)
		return 1;	/* the top-level object */
	if (j->prefix)
		set_str(&j->prefix, join(j->prefix, j->current_key));
	else
		set_str(&j->prefix, xstrdup(j->current_key));
	return deeper(j);
}

static int cb_end_map(void *ctx)
{
	struct v2json *j = ctx;
	char *sep;
	if (!j->prefix)
		return 1;
	sep = strrchr(j->prefix, '.');
	if (sep) {
		set_str(&j->current_key, xstrdup(sep + 1));
		*sep = '\0';
	} else {
		set_str(&j->current_key, j->prefix);
		j->prefix = NULL;
	}
	j->depth--;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array
};

int v2json_args(const char *body, size_t len, long depth_limit, v2json_add_fn add, void *ctx)
{
	struct v2json j = { .depth_limit = depth_limit, .add = add, .ctx = ctx };
	yajl_handle h = yajl_alloc(&callbacks, NULL, &j);
	int ok;
	if (!h)
		return -1;
	yajl_config(h, yajl_allow_partial_values, 0);
	ok = yajl_parse(h, (const unsigned char *)body, len) == yajl_status_ok &&
	     yajl_complete_parse(h) == yajl_status_ok && !j.depth_exceeded;
	yajl_free(h);
	free(j.prefix);
	free(j.current_key);
	return ok ? 0 : -1;
}
