/* Web-server error-log lines (Apache mod_security2 and nginx
 * ModSecurity-nginx), as probe --error-log reads them: each line rewritten
 * to v3's shape and parsed; the raw line parsed too. */
#include "fuzz.h"
#include "errorlog.h"
#include "logline.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *line = text;

	while (line) {
		char *nl = strchr(line, '\n'), *v3;
		struct match m;
		if (nl)
			*nl = '\0';
		if (logline_parse(line, &m) == 0)
			match_release(&m);
		v3 = errorlog_v2_to_v3(line);
		if (logline_parse(v3, &m) == 0)
			match_release(&m);
		free(v3);
		free(uri_decode_path(line));
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	/* the probe's own reading: the lines of one request in a log */
	{
		char *path = fuzz_write("error.log", data, size), *uid = NULL;
		struct strbuf err = STRBUF_INIT;
		struct errorlog el;
		struct txresult tx;
		if (errorlog_open(&el, path, 0, &err) == 0) {
			el.mark = 0;
			(void)errorlog_collect(&el, "0123abcd", "/wc-api/KCO_WC_Push/", &tx, &uid);
			txresult_release(&tx);
			free(uid);
			errorlog_close(&el);
		}
		strbuf_release(&err);
		free(path);
	}
	return 0;
}
