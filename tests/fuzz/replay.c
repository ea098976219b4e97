/*
 * replay: run a fuzz target's LLVMFuzzerTestOneInput() over files, without
 * libFuzzer, so the normal test suite (and its ASan/UBSan pass) replays
 * the seeds and the regression corpus testdata/fuzz/NAME/.
 *
 *   fuzz-NAME-replay FILE|DIR...
 * Directories are read recursively, in name order. Prints one line per
 * input only on failure (a crash ends the process: that is the failure),
 * then "N inputs". Exit 0 when every input ran.
 */
#include "fuzz.h"
#include "util/fileio.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static size_t count;

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: not found\n", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **list;
		int n = scandir(path, &list, NULL, alphasort), ret = 0;
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			if (list[i]->d_name[0] != '.') {
				char *sub = xasprintf("%s/%s", path, list[i]->d_name);
				if (run_path(sub) < 0)
					ret = -1;
				free(sub);
			}
			free(list[i]);
		}
		free(list);
		return ret;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	{
		struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
		if (read_file(path, &sb, &err) < 0) {
			fprintf(stderr, "replay: %s\n", err.buf);
			strbuf_release(&err);
			return -1;
		}
		fprintf(stderr, "replay: %s\n", path);
		LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
		count++;
		strbuf_release(&sb);
		strbuf_release(&err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 0;
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i]) < 0)
			ret = 1;
	printf("%zu inputs\n", count);
	return ret;
}
