/*
 * Fuzz targets (libFuzzer): one per parser of untrusted input. Each
 * tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput(); it is linked
 * twice:
 *   - with clang -fsanitize=fuzzer,address,undefined by `make fuzz`
 *     (tests/fuzz/fuzz.sh), which runs each target for a bounded time;
 *   - with tests/fuzz/replay.c (a plain main) into the normal test suite,
 *     which replays the seed inputs and the regression corpus
 *     testdata/fuzz/NAME/ (every input a campaign ever found).
 * A target must not write outside fuzz_dir(), read the network or leak;
 * parsers that follow includes get fuzz_dir() as their --root, so a
 * mutated "Include /..." stays inside it.
 */
#ifndef MCA_FUZZ_H
#define MCA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory for this process, removed at exit. */
const char *fuzz_dir(void);

/* Write `size` bytes to fuzz_dir()/rel (directories made); the path,
 * malloc'd. */
char *fuzz_write(const char *rel, const uint8_t *data, size_t size);

/* Copy the source tree's directory `src_rel` (e.g. a server fixture's
 * etc/) to fuzz_dir()/dst_rel, once, so includes find real files. */
void fuzz_copy_tree(const char *src_rel, const char *dst_rel);

/* The targets that read a tree through the rule loader (rules, apache,
 * nginx) open alike: their fixture tree `tree` copied to `tree_dst` on the
 * first call, the input written to fuzz_dir()/rel, `rs` initialised with
 * fuzz_dir() as its --root (so a mutated include stays inside). Returns
 * the input's path; fuzz_ruleset_end() releases the three. */
struct ruleset;
struct strbuf;
char *fuzz_ruleset_begin(struct ruleset *rs, const char *tree, const char *tree_dst, const char *rel,
			 const uint8_t *data, size_t size);
void fuzz_ruleset_end(struct ruleset *rs, struct strbuf *err, char *path);

/* `data` as a NUL-terminated string, malloc'd. */
char *fuzz_string(const uint8_t *data, size_t size);

#endif
