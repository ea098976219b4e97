/* ftw / go-ftw test files, as `test` reads them (both dialects). */
#include "fuzz.h"
#include "ftwtest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct ftw_suite s;

	ftw_suite_init(&s);
	(void)ftw_load_text(&s, "920100.yaml", (const char *)data, size, &err);
	ftw_suite_release(&s);
	strbuf_release(&err);
	return 0;
}
