/* An nginx configuration (--server-config nginx.conf) in a copy of the
 * Debian fixture tree (fuzz_dir() as --root): include, server {},
 * location {}, modsecurity_rules_file / modsecurity_rules. */
#include "fuzz.h"
#include "nginxconf.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct ruleset rs;
	char *path = fuzz_ruleset_begin(&rs, "testdata/servers/debian-nginx/etc", "etc", "etc/nginx/nginx.conf",
					data, size);

	if (nginxconf_load(&rs, "/etc/nginx/nginx.conf", "shop.example.com", &err) == 0)
		for (size_t u = 0; u < rs.nunits; u++)
			(void)ruleset_unit_applies(&rs, u, "/wc-api/KCO_WC_Push/");
	fuzz_ruleset_end(&rs, &err, path);
	return 0;
}
