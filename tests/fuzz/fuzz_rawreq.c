/* ftw raw_request / encoded_request bytes, read as a server reads them:
 * the generic reader, then nginx's and Apache's (platform.h), which
 * `test --platform` uses. */
#include "fuzz.h"
#include "platform.h"
#include "request.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf why = STRBUF_INIT, wire = STRBUF_INIT;
	struct request r;

	request_init(&r);
	if (request_parse_raw((const char *)data, size, &r, &why) == 0) {
		request_autocomplete(&r);
		free(request_path(&r));
		request_to_wire(&r, &wire);
	}
	request_release(&r);
	for (int p = PLATFORM_NGINX; p <= PLATFORM_APACHE; p++) {
		struct platform_note note;
		request_init(&r);
		strbuf_reset(&why);
		strbuf_reset(&wire);
		if (platform_read((enum platform)p, (const char *)data, size, &r, &note, &why) == 0) {
			free(request_path(&r));
			request_to_wire(&r, &wire);
		}
		request_release(&r);
	}
	strbuf_release(&why);
	strbuf_release(&wire);
	return 0;
}
