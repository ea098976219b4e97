/*
 * yamlload: the one way our YAML files (the callback catalogue, ftw test
 * files, ftw overrides) become a libyaml document.
 *
 * It composes the document from libyaml's event stream itself instead of
 * calling yaml_parser_load(), so that bad input is refused as soon as it
 * is seen, with file:line:
 *   - nesting deeper than YAML_MAX_DEPTH (libyaml's scanner is quadratic
 *     in flow depth: 100,000 '[' took 26 s before this limit);
 *   - a key given twice in one mapping (each reader keeps the last value or
 *     appends, neither is what the author meant; go-ftw's YAML library
 *     refuses it too);
 *   - an alias to an unknown anchor or to a node still open (a cycle:
 *     `&a [*a]`), and aliases that expand the document by more than
 *     YAML_MAX_ALIAS_NODES nodes (the "billion laughs").
 * A merge key (`<<: *map`, or a list of maps) is resolved as Go's yaml
 * (go-ftw's reader) resolves it: the maps' pairs whose keys the mapping
 * does not give itself are added, the `<<` pair dropped.
 * Only the first document of the stream is loaded, as yaml_parser_load()
 * does; an empty stream gives a document without a root node.
 */
#ifndef MCA_YAMLLOAD_H
#define MCA_YAMLLOAD_H

#include "strbuf.h"
#include <stddef.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64
#define YAML_MAX_DEPTH_TEXT "64"
#define YAML_MAX_ALIAS_NODES 100000
#define YAML_MAX_ALIAS_NODES_TEXT "100,000"

/* Parse `len` bytes of `text` into `doc` (then owned by the caller:
 * yaml_document_delete()). On failure returns -1, `doc` needs no delete,
 * and `err` gets "FILE:LINE: reason". */
int yaml_load_strict(yaml_document_t *doc, const char *file, const char *text, size_t len,
		     struct strbuf *err);

#endif
