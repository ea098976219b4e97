/* An nginx configuration (--server-config nginx.conf) in a copy of the
 * Debian fixture tree (fuzz_dir() as --root): include, server {},
 * location {}, modsecurity_rules_file / modsecurity_rules. */
#include "fuzz.h"
#include "nginxconf.h"
#include "ruleset.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct strbuf err = STRBUF_INIT;
	struct ruleset rs;
	char *path;

	if (!ready) {
		fuzz_copy_tree("testdata/servers/debian-nginx/etc", "etc");
		ready = 1;
	}
	path = fuzz_write("etc/nginx/nginx.conf", data, size);
	ruleset_init(&rs);
	rs.root = xstrdup(fuzz_dir());
	if (nginxconf_load(&rs, "/etc/nginx/nginx.conf", "shop.example.com", &err) == 0)
		for (size_t u = 0; u < rs.nunits; u++)
			(void)ruleset_unit_applies(&rs, u, "/wc-api/KCO_WC_Push/");
	ruleset_release(&rs);
	strbuf_release(&err);
	free(path);
	return 0;
}
