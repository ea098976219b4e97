#include "cliopts.h"
#include "catalog.h"
#include "commands.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int parse_number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int opt_kco_version(const char *arg)
{
	if (version_valid(arg))
		return 0;
	complain("--kco-version: \"%s\" is not a version like 2.5.0", arg);
	return -1;
}

int opt_url_forms(const char *arg, unsigned *forms)
{
	if (url_forms_parse(arg, forms) == 0)
		return 0;
	complain("--url-form: \"%s\" is not a list of path, index, query or all", arg);
	return -1;
}

int opt_header(const char *arg)
{
	char *n, *v;
	if (header_parse(arg, &n, &v) < 0) {
		complain("--header: \"%s\" is not \"Name: value\"", arg);
		return -1;
	}
	free(n);
	free(v);
	return 0;
}

int opt_order_id(const char *arg)
{
	if (*arg && strspn(arg, "0123456789abcdefABCDEF-") == strlen(arg))
		return 0;
	complain("--order-id: \"%s\" is not a Klarna order id (hex digits and '-')", arg);
	return -1;
}

int opt_color(const char *arg)
{
	if (!strcmp(arg, "auto") || !strcmp(arg, "always") || !strcmp(arg, "never"))
		return 0;
	complain("--color: \"%s\" is not auto, always or never", arg);
	return -1;
}

int color_wanted(const char *when, const char *output)
{
	if (!strcmp(when, "always"))
		return 1;
	return !strcmp(when, "auto") && !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}
