/*
 * Reading whole files and writing output files without destroying what
 * the output path points at.
 *
 * Reading: every input file is read whole into memory, so a size limit
 * (MCA_MAX_FILE_SIZE) keeps a wrong path (/dev/zero, a multi-gigabyte log
 * given as a rule file) from growing memory without end. Server
 * configuration and rule files are read as the servers read them: regular
 * files only (Apache's ap_pcfg_openfile refuses anything else, bar
 * /dev/null, which reads as empty).
 *
 * Writing (the tool writes only what the user asks for: reports,
 * exclusion files, never a half-written one), "write-through":
 *   - "-", /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N write to
 *     that descriptor, as the shell's own redirection would;
 *   - a symlink is followed (every hop): its final target is what gets
 *     written, the link itself stays a link;
 *   - a regular file (or a new one) is replaced atomically: a temporary
 *     file in the target's own directory, with the old file's owner and
 *     mode, fsync'd, then rename(2) over it;
 *   - anything else that exists and is not a directory (a device such as
 *     /dev/null, a FIFO) is opened and written directly, never replaced;
 *   - a directory is refused with an error.
 */
#ifndef MCA_FILEIO_H
#define MCA_FILEIO_H

#include "strbuf.h"

/* The largest file read whole (rule files, configs, catalogues, tests). */
#define MCA_MAX_FILE_SIZE (32u * 1024 * 1024)
#define MCA_MAX_FILE_SIZE_TEXT "32 MiB"

/* Append the contents of `path` to `out` (any readable file that is not a
 * directory, up to MCA_MAX_FILE_SIZE bytes). On failure returns -1 and
 * puts "PATH: reason" in `err`. */
int read_file(const char *path, struct strbuf *out, struct strbuf *err);

/* The same for a server's configuration or rule file: only a regular file
 * (or /dev/null, read as empty), as Apache reads its configuration. */
int read_config_file(const char *path, struct strbuf *out, struct strbuf *err);

/* Write `len` bytes of `data` to `path` (see "write-through" above); "-"
 * writes stdout. On failure returns -1, leaves `path` as it was (for a
 * regular file) and explains in `err` ("PATH: reason"). */
int write_file_atomic(const char *path, const char *data, size_t len,
		      struct strbuf *err);

/* Before the work: refuse an output path that write_file_atomic() would
 * refuse afterwards (a directory), so the user does not wait for nothing.
 * NULL and "-" are fine. */
int output_path_check(const char *path, struct strbuf *err);

#endif
