#include "cliopts.h"
#include "catalog.h"
#include "commands.h"
#include "util/utf8.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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

int opt_choice(const char *opt, const char *arg, const char *const *choices)
{
	struct strbuf list = STRBUF_INIT;
	size_t n = 0;
	for (; choices[n]; n++)
		if (!strcmp(arg, choices[n])) {
			strbuf_release(&list);
			return (int)n;
		}
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&list, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
	complain("%s: \"%s\" is not %s", opt, arg, list.buf);
	strbuf_release(&list);
	return -1;
}

int opt_color(const char *arg)
{
	static const char *const when[] = { "auto", "always", "never", NULL };
	return opt_choice("--color", arg, when) < 0 ? -1 : 0;
}

int color_wanted(const char *when, const char *output)
{
	if (!strcmp(when, "always"))
		return 1;
	return !strcmp(when, "auto") && !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}

int opt_host(const char *arg)
{
	size_t n = strlen(arg), label = 0;
	const char *end = arg + n, *colon = strrchr(arg, ':');
	int ok = n > 0 && n <= 253;
	/* host[:port]: the Host header the callbacks carry, and the name
	 * the server's vhosts are chosen by */
	if (ok && colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
		end = colon;
	for (const char *p = arg; ok && p < end; p++) {
		if (*p == '.') {
			ok = label > 0;
			label = 0;
			continue;
		}
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
		ok = ok && ++label <= 63;
	}
	if (ok && end > arg && label)
		return 0;
	complain("--host: \"%.80s%s\" is not a host name (letters, digits, '-', labels of 1-63 "
		 "characters separated by '.', at most 253, optionally :port)", arg, n > 80 ? "..." : "");
	return -1;
}

int opt_client_ip(const char *arg)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, arg, buf) == 1 || inet_pton(AF_INET6, arg, buf) == 1)
		return 0;
	complain("--client-ip: \"%s\" is not an IPv4 or IPv6 address", arg);
	return -1;
}

void complain_line(const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	one_line(&sb, msg, 300);
	complain("%s", sb.buf);
	strbuf_release(&sb);
}

/* The audit_opts group (--server-config ... --max-rounds). */
static int take_server(struct cli_take *t, int c, const char *arg)
{
	struct audit_opts *o = t->o;
	long v;
	switch (c) {
	case OPT_SERVER:
		if (arg[0] != '/') {
			complain("--server-config: give the absolute path the server uses (\"%s\")", arg);
			return -1;
		}
		o->server_config = arg;
		return 1;
	case OPT_ROOT:
		o->root = arg;
		return 1;
	case OPT_DISCOVER:
		t->discover = 1;
		return 1;
	case OPT_ENGINE:
		if (opt_choice("--engine", arg, (const char *const[]){ "v2", "v3", NULL }) < 0)
			return -1;
		o->engine_v2 = !strcmp(arg, "v2");
		t->engine_given = 1;
		return 1;
	case OPT_PCRE:
		if (opt_choice("--pcre", arg, (const char *const[]){ "1", "2", NULL }) < 0)
			return -1;
		o->pcre = atoi(arg);
		return 1;
	case OPT_LUA:
		o->allow_lua = 1;
		return 1;
	case OPT_NOPROBES:
		o->attack_probes = 0;
		return 1;
	case OPT_SRCIP:
		if (!*arg || strspn(arg, "0123456789abcdefABCDEF.:/,") != strlen(arg)) {
			complain("--source-ip: \"%s\" is not a comma-separated list of addresses or CIDR ranges", arg);
			return -1;
		}
		o->source_ips = arg;
		return 1;
	case OPT_ROUNDS:
		if (parse_number(arg, 1, 100, &v) < 0) {
			complain("--max-rounds: \"%s\" is not a number from 1 to 100", arg);
			return -1;
		}
		o->max_rounds = (int)v;
		return 1;
	}
	return 0;
}

int cli_take(struct cli_take *t, int c, const char *arg)
{
	switch (c) {
	case 'r':
	case 'R':
		ARRAY_PUSH(t->src, t->nsrc, t->asrc);
		t->src[t->nsrc].is_text = c == 'R';
		t->src[t->nsrc++].value = arg;
		return 1;
	case 'H':
		if (opt_header(arg) < 0)
			return -1;
		ARRAY_PUSH(t->headers, t->nheaders, t->aheaders);
		t->headers[t->nheaders++] = arg;
		return 1;
	case OPT_CALLBACKS:
		free(t->catalogue);
		t->catalogue = xstrdup(arg);
		return 1;
	case OPT_CALLBACK:
		ARRAY_PUSH(t->names, t->nnames, t->anames);
		t->names[t->nnames++] = arg;
		return 1;
	case OPT_PROVIDER:
		*t->providers = arg;
		return 1;
	case OPT_KCO:
		if (opt_kco_version(arg) < 0)
			return -1;
		*t->kco_version = arg;
		return 1;
	case OPT_FORMS:
		return opt_url_forms(arg, t->forms) < 0 ? -1 : 1;
	case OPT_HOST:
		if (opt_host(arg) < 0)
			return -1;
		t->params->host = arg;
		return 1;
	case OPT_ORDER:
		if (opt_order_id(arg) < 0)
			return -1;
		t->params->klarna_order_id = arg;
		return 1;
	case OPT_CLIENT:
		if (opt_client_ip(arg) < 0)
			return -1;
		t->params->client_ip = arg;
		return 1;
	}
	return c >= OPT_SERVER && c < OPT_OWN && t->o ? take_server(t, c, arg) : 0;
}

void cli_take_release(struct cli_take *t)
{
	free(t->src);
	free(t->catalogue);
	free(t->names);
	free(t->headers);
	memset(t, 0, sizeof(*t));
}
