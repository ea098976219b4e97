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

/* `data` as a NUL-terminated string, malloc'd. */
char *fuzz_string(const uint8_t *data, size_t size);

#endif
