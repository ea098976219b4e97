/* go-ftw overrides files: load, then apply to a small real suite. */
#include "fuzz.h"
#include "ftwtest.h"
#include "overrides.h"

#include <stdlib.h>
#include <string.h>

static const char tests[] =
	"meta: {author: fuzz}\n"
	"rule_id: 920100\n"
	"tests:\n"
	"  - test_id: 1\n"
	"    stages:\n"
	"      - input: {uri: \"/\", headers: {Host: localhost}}\n"
	"        output: {status: 200}\n"
	"      - input: {uri: \"/x\"}\n"
	"        output: {log: {expect_ids: [920100]}}\n"
	"  - test_id: 2\n"
	"    stages:\n"
	"      - input: {method: POST, data: \"a=b\"}\n"
	"        output: {status: 403}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_write("overrides.yaml", data, size);
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT;
	struct ftw_overrides o;
	struct ftw_suite s;

	ftw_suite_init(&s);
	if (ftw_load_text(&s, "920100.yaml", tests, strlen(tests), &err) < 0)
		abort();	/* the fixed suite must load */
	if (overrides_load(&o, path, &err, &warn) == 0)
		(void)overrides_apply(&o, &s);
	ftw_suite_release(&s);
	overrides_release(&o);
	strbuf_release(&err);
	strbuf_release(&warn);
	free(path);
	return 0;
}
