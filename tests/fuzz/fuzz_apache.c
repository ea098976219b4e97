/* An Apache configuration (--server-config apache2.conf) in a copy of the
 * Debian fixture tree (fuzz_dir() as --root): Include, IfModule,
 * VirtualHost, Location*, the vhost chosen for the host. */
#include "fuzz.h"
#include "ruleset.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct strbuf err = STRBUF_INIT;
	struct ruleset rs;
	char *path;

	if (!ready) {
		fuzz_copy_tree("testdata/servers/debian-apache/etc", "etc");
		ready = 1;
	}
	path = fuzz_write("etc/apache2/apache2.conf", data, size);
	ruleset_init(&rs);
	rs.engine_v2 = 1;
	rs.apache = 1;
	rs.server_root = xstrdup("/etc/apache2");
	rs.root = xstrdup(fuzz_dir());
	if (ruleset_add_file(&rs, path, &err) == 0) {
		ruleset_select_host(&rs, "shop.example.com");
		for (size_t u = 0; u < rs.nunits; u++)
			(void)ruleset_unit_applies(&rs, u, "/wc-api/KCO_WC_Push/");
	}
	ruleset_release(&rs);
	strbuf_release(&err);
	free(path);
	return 0;
}
