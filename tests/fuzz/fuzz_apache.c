/* An Apache configuration (--server-config apache2.conf) in a copy of the
 * Debian fixture tree (fuzz_dir() as --root): Include, IfModule,
 * VirtualHost, Location*, the vhost chosen for the host. */
#include "fuzz.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct ruleset rs;
	char *path = fuzz_ruleset_begin(&rs, "testdata/servers/debian-apache/etc", "etc", "etc/apache2/apache2.conf",
					data, size);

	rs.engine_v2 = 1;
	rs.apache = 1;
	rs.server_root = xstrdup("/etc/apache2");
	if (ruleset_add_file(&rs, path, &err) == 0) {
		ruleset_select_host(&rs, "shop.example.com");
		for (size_t u = 0; u < rs.nunits; u++)
			(void)ruleset_unit_applies(&rs, u, "/wc-api/KCO_WC_Push/");
	}
	fuzz_ruleset_end(&rs, &err, path);
	return 0;
}
