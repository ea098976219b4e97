#include "yamlload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An open collection on the composer's stack. */
struct frame {
	int id;			/* its node id in the document */
	int key;		/* a mapping's key waiting for its value, or 0 */
	char *anchor;		/* registered when the collection closes */
};

struct anchor {
	char *name;
	int id;
};

struct composer {
	yaml_document_t *doc;
	const char *file;
	struct strbuf *err;
	struct frame *stack;
	size_t depth, alloc;
	/* per node id (index id - 1): expanded size and height, so an alias
	 * costs what its target costs */
	uint64_t *size;
	int *height;
	size_t nnodes, anodes;
	uint64_t alias_nodes;
	/* anchors: open addressing, names hashed */
	struct anchor *anchors;
	size_t nanchors, aanchors;
};

static int failf(struct composer *c, const yaml_mark_t *m, const char *fmt, const char *arg)
{
	strbuf_addf(c->err, "%s:%lu: ", c->file, (unsigned long)m->line + 1);
	strbuf_addf(c->err, fmt, arg);
	return -1;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct anchor *anchor_slot(struct composer *c, const char *name)
{
	size_t i = (size_t)hash(name) & (c->aanchors - 1);
	while (c->anchors[i].name && strcmp(c->anchors[i].name, name))
		i = (i + 1) & (c->aanchors - 1);
	return &c->anchors[i];
}

static void anchor_set(struct composer *c, char *name, int id)
{
	struct anchor *a;
	if (2 * (c->nanchors + 1) > c->aanchors) {
		struct anchor *old = c->anchors;
		size_t n = c->aanchors;
		c->aanchors = n ? 2 * n : 16;
		c->anchors = xcalloc(c->aanchors, sizeof(*c->anchors));
		for (size_t i = 0; i < n; i++)
			if (old[i].name)
				*anchor_slot(c, old[i].name) = old[i];
		free(old);
	}
	a = anchor_slot(c, name);
	if (a->name) {		/* YAML: a later anchor of the same name wins */
		free(a->name);
	} else {
		c->nanchors++;
	}
	a->name = name;
	a->id = id;
}

static int anchor_get(struct composer *c, const char *name)
{
	struct anchor *a;
	if (!c->aanchors)
		return 0;
	a = anchor_slot(c, name);
	return a->name ? a->id : 0;
}

static void node_added(struct composer *c, int id, const yaml_mark_t *start)
{
	if (c->nnodes == c->anodes) {
		c->anodes = c->anodes ? 2 * c->anodes : 64;
		c->size = xrealloc(c->size, c->anodes * sizeof(*c->size));
		c->height = xrealloc(c->height, c->anodes * sizeof(*c->height));
	}
	c->size[c->nnodes] = 1;
	c->height[c->nnodes] = 0;
	c->nnodes++;
	c->doc->nodes.start[id - 1].start_mark = *start;
	c->doc->nodes.start[id - 1].end_mark = *start;
}

/* Put node `id` (new or aliased) into the collection on top of the stack. */
static int attach(struct composer *c, int id)
{
	struct frame *f;
	if (!c->depth)
		return 0;	/* the root */
	f = &c->stack[c->depth - 1];
	if (c->doc->nodes.start[f->id - 1].type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(c->doc, f->id, id) ? 0 : -1;
	if (!f->key) {
		f->key = id;
		return 0;
	}
	if (!yaml_document_append_mapping_pair(c->doc, f->id, f->key, id))
		return -1;
	f->key = 0;
	return 0;
}

static int cmp_keys(const void *a, const void *b, void *arg)
{
	yaml_document_t *d = arg;
	const yaml_node_t *x = &d->nodes.start[*(const int *)a - 1];
	const yaml_node_t *y = &d->nodes.start[*(const int *)b - 1];
	size_t n = x->data.scalar.length < y->data.scalar.length ? x->data.scalar.length
								 : y->data.scalar.length;
	int r = memcmp(x->data.scalar.value, y->data.scalar.value, n);
	if (r)
		return r;
	if (x->data.scalar.length != y->data.scalar.length)
		return x->data.scalar.length < y->data.scalar.length ? -1 : 1;
	return *(const int *)a - *(const int *)b;	/* document order */
}

static int same_key(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	       !memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length);
}

static int duplicate(struct composer *c, const yaml_node_t *first, const yaml_node_t *second)
{
	char *line = xasprintf("%lu", (unsigned long)first->start_mark.line + 1);
	failf(c, &second->start_mark, "duplicate key \"%s\"", (const char *)second->data.scalar.value);
	strbuf_addf(c->err, " (first given at line %s)", line);
	free(line);
	return -1;
}

/* A mapping's scalar keys, sorted: equal neighbours are duplicates (a
 * small mapping, the usual one, is compared pair by pair). */
static int check_duplicates(struct composer *c, yaml_node_t *map)
{
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start), k = 0;
	int *keys, ret = 0;
	if (n < 2)
		return 0;
	if (n <= 16) {
		yaml_node_pair_t *p = map->data.mapping.pairs.start;
		for (size_t i = 1; i < n; i++) {
			const yaml_node_t *b = &c->doc->nodes.start[p[i].key - 1];
			if (b->type != YAML_SCALAR_NODE)
				continue;
			for (size_t j = 0; j < i; j++) {
				const yaml_node_t *a = &c->doc->nodes.start[p[j].key - 1];
				if (a->type == YAML_SCALAR_NODE && same_key(a, b))
					return duplicate(c, a, b);
			}
		}
		return 0;
	}
	keys = xmalloc(n * sizeof(*keys));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (c->doc->nodes.start[p->key - 1].type == YAML_SCALAR_NODE)
			keys[k++] = p->key;
	qsort_r(keys, k, sizeof(*keys), cmp_keys, c->doc);
	for (size_t i = 1; i < k && !ret; i++) {
		const yaml_node_t *a = &c->doc->nodes.start[keys[i - 1] - 1];
		const yaml_node_t *b = &c->doc->nodes.start[keys[i] - 1];
		if (same_key(a, b))
			ret = duplicate(c, a, b);
	}
	free(keys);
	return ret;
}

static int is_merge_key(const yaml_node_t *k)
{
	return k->type == YAML_SCALAR_NODE && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       k->data.scalar.length == 2 && !memcmp(k->data.scalar.value, "<<", 2);
}

struct keyed {
	yaml_document_t *doc;
	const yaml_node_pair_t *pairs;
};

/* Pair indices by scalar key, then by position (qsort_r). */
static int cmp_pair_keys(const void *a, const void *b, void *arg)
{
	const struct keyed *k = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = cmp_keys(&k->pairs[i].key, &k->pairs[j].key, k->doc);
	if (r && same_key(&k->doc->nodes.start[k->pairs[i].key - 1],
			  &k->doc->nodes.start[k->pairs[j].key - 1]))
		r = 0;
	return r ? r : (i < j ? -1 : i > j);
}

/* Keep the first pair of each scalar key, in order (n log n: a mapping
 * may have many keys, and merges add many more). */
static size_t drop_later_keys(yaml_document_t *d, yaml_node_pair_t *p, size_t n)
{
	size_t *idx = xmalloc((n ? n : 1) * sizeof(*idx)), k = 0, out = 0;
	char *drop = xcalloc(n ? n : 1, 1);
	struct keyed kd = { d, p };
	for (size_t i = 0; i < n; i++)
		if (d->nodes.start[p[i].key - 1].type == YAML_SCALAR_NODE)
			idx[k++] = i;
	qsort_r(idx, k, sizeof(*idx), cmp_pair_keys, &kd);
	for (size_t i = 1; i < k; i++)
		if (same_key(&d->nodes.start[p[idx[i - 1]].key - 1], &d->nodes.start[p[idx[i]].key - 1]))
			drop[idx[i]] = 1;
	for (size_t i = 0; i < n; i++)
		if (!drop[i])
			p[out++] = p[i];
	free(idx);
	free(drop);
	return out;
}

/* YAML's merge key, as go-ftw's YAML library reads it: `<<: *map` (or a
 * list of maps) adds the pairs of those maps whose keys the mapping does
 * not give itself (in a list, the earlier map wins). The mapping's pairs
 * are rebuilt without the `<<` pairs; the maps merged in closed earlier,
 * so their own merges are done. */
static int merge_keys(struct composer *c, yaml_node_t *map)
{
	yaml_node_pair_t *old = map->data.mapping.pairs.start;
	size_t n = (size_t)(map->data.mapping.pairs.top - old), out = 0, alloc = n;
	yaml_node_pair_t *res;
	int merges = 0;

	for (size_t i = 0; i < n; i++)
		merges |= is_merge_key(&c->doc->nodes.start[old[i].key - 1]);
	if (!merges)
		return 0;
	res = xmalloc((alloc ? alloc : 1) * sizeof(*res));
	for (size_t i = 0; i < n; i++)
		if (!is_merge_key(&c->doc->nodes.start[old[i].key - 1]))
			res[out++] = old[i];
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *v = &c->doc->nodes.start[old[i].value - 1];
		size_t nsrc = 1;
		if (!is_merge_key(&c->doc->nodes.start[old[i].key - 1]))
			continue;
		if (v->type == YAML_SEQUENCE_NODE)
			nsrc = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		for (size_t j = 0; j < nsrc; j++) {
			yaml_node_t *src = v->type == YAML_SEQUENCE_NODE
				? &c->doc->nodes.start[v->data.sequence.items.start[j] - 1] : v;
			if (src->type != YAML_MAPPING_NODE) {
				free(res);
				return failf(c, &v->start_mark, "%s",
					     "a merge (<<) takes a mapping or a list of mappings");
			}
			for (yaml_node_pair_t *p = src->data.mapping.pairs.start; p < src->data.mapping.pairs.top; p++) {
				ARRAY_PUSH(res, out, alloc);
				res[out++] = *p;
			}
		}
	}
	/* the mapping's own keys first, then each map's in order: the first
	 * of a key wins */
	out = drop_later_keys(c->doc, res, out);
	/* libyaml frees the pairs with free() (yaml_free) */
	free(old);
	map->data.mapping.pairs.start = res;
	map->data.mapping.pairs.top = res + out;
	map->data.mapping.pairs.end = res + (alloc ? alloc : 1);
	return 0;
}

/* A collection closes: its size, height and anchor are now known. */
static int close_collection(struct composer *c, const yaml_mark_t *end)
{
	struct frame f = c->stack[--c->depth];
	yaml_node_t *n = &c->doc->nodes.start[f.id - 1];
	uint64_t size = 1;
	int height = 0, ret = 0;

#define CHILD(cid) do { \
		uint64_t s_ = c->size[(cid) - 1]; \
		size = size + s_ < size ? UINT64_MAX : size + s_; \
		if (c->height[(cid) - 1] + 1 > height) \
			height = c->height[(cid) - 1] + 1; \
	} while (0)
	n->end_mark = *end;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			CHILD(*it);
	} else {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			CHILD(p->key);
			CHILD(p->value);
		}
		ret = check_duplicates(c, n);
		if (!ret)
			ret = merge_keys(c, n);
	}
#undef CHILD
	if (!height)
		height = 1;
	c->size[f.id - 1] = size;
	c->height[f.id - 1] = height;
	if (f.anchor)
		anchor_set(c, f.anchor, f.id);
	return ret;
}

static int open_collection(struct composer *c, const yaml_event_t *e, int id, yaml_char_t *anchor)
{
	node_added(c, id, &e->start_mark);
	if (attach(c, id) < 0)
		return -1;
	ARRAY_PUSH(c->stack, c->depth, c->alloc);
	c->stack[c->depth].id = id;
	c->stack[c->depth].key = 0;
	c->stack[c->depth].anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	c->depth++;
	return 0;
}

/* One event; 1 when the document is complete, -1 on error. */
static int compose(struct composer *c, yaml_event_t *e)
{
	int id;

	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (!yaml_document_initialize(c->doc, NULL, NULL, NULL, 1, 1))
			return failf(c, &e->start_mark, "%s", "out of memory");
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		return 1;
	case YAML_SCALAR_EVENT: {
		yaml_node_t *n;
		id = yaml_document_add_scalar(c->doc, e->data.scalar.tag, (yaml_char_t *)"", 0,
					      e->data.scalar.style);
		if (!id)
			return failf(c, &e->start_mark, "%s", "cannot store this scalar");
		/* the node takes the event's value, as yaml_parser_load()
		 * does (no copy: both use libyaml's malloc/free) */
		n = &c->doc->nodes.start[id - 1];
		free(n->data.scalar.value);
		n->data.scalar.value = e->data.scalar.value;
		n->data.scalar.length = e->data.scalar.length;
		e->data.scalar.value = NULL;
		node_added(c, id, &e->start_mark);
		c->doc->nodes.start[id - 1].end_mark = e->end_mark;
		if (e->data.scalar.anchor)
			anchor_set(c, xstrdup((const char *)e->data.scalar.anchor), id);
		return attach(c, id);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (c->depth >= YAML_MAX_DEPTH)
			return failf(c, &e->start_mark,
				     "nested deeper than %s levels (the limit on YAML nesting)",
				     YAML_MAX_DEPTH_TEXT);
		if (e->type == YAML_SEQUENCE_START_EVENT) {
			id = yaml_document_add_sequence(c->doc, e->data.sequence_start.tag,
							e->data.sequence_start.style);
			if (!id)
				return failf(c, &e->start_mark, "%s", "cannot store this sequence");
			return open_collection(c, e, id, e->data.sequence_start.anchor);
		}
		id = yaml_document_add_mapping(c->doc, e->data.mapping_start.tag,
					       e->data.mapping_start.style);
		if (!id)
			return failf(c, &e->start_mark, "%s", "cannot store this mapping");
		return open_collection(c, e, id, e->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_collection(c, &e->end_mark);
	case YAML_ALIAS_EVENT:
		id = anchor_get(c, (const char *)e->data.alias.anchor);
		if (!id)
			return failf(c, &e->start_mark,
				     "alias *%s names no complete anchor before it",
				     (const char *)e->data.alias.anchor);
		if (c->depth + (size_t)c->height[id - 1] > YAML_MAX_DEPTH)
			return failf(c, &e->start_mark,
				     "nested deeper than %s levels (the limit on YAML nesting)",
				     YAML_MAX_DEPTH_TEXT);
		c->alias_nodes += c->size[id - 1];
		if (c->alias_nodes > YAML_MAX_ALIAS_NODES || c->size[id - 1] > YAML_MAX_ALIAS_NODES)
			return failf(c, &e->start_mark,
				     "aliases expand the document by more than %s nodes",
				     YAML_MAX_ALIAS_NODES_TEXT);
		return attach(c, id);
	default:
		return 0;
	}
}

int yaml_load_strict(yaml_document_t *doc, const char *file, const char *text, size_t len,
		     struct strbuf *err)
{
	struct composer c;
	yaml_parser_t parser;
	int ret = 0, have_doc = 0;

	memset(&c, 0, sizeof(c));
	memset(doc, 0, sizeof(*doc));
	c.doc = doc;
	c.file = file;
	c.err = err;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!ret) {
		yaml_event_t e;
		if (!yaml_parser_parse(&parser, &e)) {
			strbuf_addf(err, "%s:%lu: %s", file, (unsigned long)parser.problem_mark.line + 1,
				    parser.problem ? parser.problem : "not YAML");
			if (parser.context)
				strbuf_addf(err, " (%s)", parser.context);
			ret = -1;
			break;
		}
		if (e.type == YAML_DOCUMENT_START_EVENT)
			have_doc = 1;
		if (e.type == YAML_STREAM_END_EVENT)
			ret = 1;
		else
			ret = compose(&c, &e);
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&parser);
	for (size_t i = 0; i < c.depth; i++)
		free(c.stack[i].anchor);
	free(c.stack);
	free(c.size);
	free(c.height);
	for (size_t i = 0; i < c.aanchors; i++)
		free(c.anchors[i].name);
	free(c.anchors);
	if (ret < 0) {
		if (have_doc)
			yaml_document_delete(doc);
		memset(doc, 0, sizeof(*doc));
		return -1;
	}
	if (!have_doc)		/* an empty stream: a document with no root */
		yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1);
	return 0;
}
