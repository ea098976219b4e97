/* The logs command's readers: the input as one log file (every format is
 * detected from its content: native Serial or Concurrent index, JSON,
 * Apache and nginx error logs, gzip), its records matched to the shipped
 * catalogue and added up, both reports written. An index's transaction
 * files resolve under fuzz_dir() only. */
#include "fuzz.h"
#include "logread.h"
#include "logs_report.h"

#include <stdlib.h>
#include <string.h>

static struct catalog cat;
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logs_report lr;
	struct logsink sink;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	char *path;

	if (!loaded) {
		const char *src = getenv("MCA_SRCDIR");
		char *c = xasprintf("%s/callbacks", src && *src ? src : SRCDATADIR);
		if (catalog_load(&cat, c, &err) < 0)
			abort();	/* the shipped catalogue must load */
		free(c);
		loaded = 1;
	}
	path = fuzz_write("logs/input.log", data, size);
	logs_report_init(&lr, &cat);
	logs_report_sink(&lr, &sink);
	(void)logread_files(&path, NULL, 1, &sink, &lr.st, &err);
	logs_report_text(&lr, &out);
	logs_report_json(&lr, &out);
	logs_report_release(&lr);
	strbuf_release(&err);
	strbuf_release(&out);
	free(path);
	return 0;
}
