/* The callback catalogue: load, then build (callback_request() inits
 * the request and response) every callback in every URL
 * form it takes (placeholders, header overrides, bodies), and select by
 * version and by provider name. */
#include "fuzz.h"
#include "catalog.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const overrides[] = { "User-Agent: fuzz", "Referer:" };
	char *path = fuzz_write("cat.yaml", data, size);
	struct strbuf err = STRBUF_INIT;
	struct catalog c;

	if (catalog_load(&c, path, &err) == 0) {
		struct build_params p;
		struct selection *sel = NULL;
		size_t nsel = 0;
		build_params_defaults(&p);
		p.header_overrides = overrides;
		p.noverrides = 2;
		for (size_t i = 0; i < c.n; i++) {
			unsigned forms = callback_forms(&c.cbs[i]);
			(void)callback_sent_by(&c.cbs[i], "2.5.1");
			for (int f = FORM_PATH; f <= FORM_FIXED; f++) {
				struct request req;
				struct response resp;
				if (!(forms & URL_FORM_BIT(f)))
					continue;
				callback_request(&c, &c.cbs[i], (enum url_form)f, &p, &req, &resp);
				request_release(&req);
				response_release(&resp);
			}
		}
		strbuf_reset(&err);
		if (catalog_select(&c, NULL, NULL, 0, "2.0.0", URL_FORMS_WC, &sel, &nsel, &err) == 0)
			free(sel);
		strbuf_reset(&err);
		for (size_t i = 0; i < c.nprovs; i++)
			(void)provider_matches(&c.provs[i], "Klarna Checkout");
		if (catalog_select(&c, "kco,my-provider", NULL, 0, NULL, URL_FORMS_WC, &sel, &nsel, &err) == 0)
			free(sel);
	}
	catalog_release(&c);
	strbuf_release(&err);
	free(path);
	return 0;
}
