/*
 * The audit command's hosts (cmd_audit.c calls these): --all-hosts, the
 * audit in a loop over the server's vhosts with one report (fleet.c), and
 * --host NAME with a server configuration, where the shop's document root
 * decides which callbacks are audited as it does for each --all-hosts host.
 *
 * A shop owns its host_result strings, its catalogue and the callback
 * names pointing into it (shop_release), so they outlive the audit and
 * its report.
 */
#include "cliopts.h"
#include "commands.h"
#include "fleet.h"
#include "util/fileio.h"

#include <stdlib.h>
#include <string.h>

/* The report of the formats every writer takes, for hosts `h`. */
static void hosts_report(const struct host_result *h, size_t n, const char *format, const struct report_opts *ro,
			 const char *excl_file, struct strbuf *out)
{
	if (!strcmp(format, "junit"))
		report_junit(h, n, ro, out);
	else if (!strcmp(format, "sarif"))
		report_sarif(h, n, ro, excl_file ? excl_file : "klarna-exclusions.conf", out);
	else if (!strcmp(format, "html"))
		report_html(h, n, ro, out);
}

int audit_all_hosts(const struct audit_opts *o, const char *format, const char *output,
		    const struct report_opts *ro, const char *excl_file)
{
	struct fleet f;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int ret = 2;
	if (fleet_run(o, &f, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	if (!strcmp(format, "json"))
		report_fleet_json(&f, ro, &out);
	else if (!strcmp(format, "text"))
		report_fleet_text(&f, ro, &out);
	else
		hosts_report(f.hosts, f.nhosts, format, ro, excl_file, &out);
	if (write_file_atomic(output ? output : "-", out.buf, out.len, &err) < 0) {
		complain("%s", err.buf);
		goto out;
	}
	for (size_t i = 0; i < f.nhosts; i++)
		if (!f.hosts[i].a && f.hosts[i].error)
			complain("%s: not audited: %s", f.hosts[i].host, f.hosts[i].error);
	ret = fleet_status(&f);
out:
	fleet_release(&f);
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}

int audit_shop(struct audit_opts *o, struct shop *s, const char *format, const char *output,
	       const struct report_opts *ro, const char *excl_file)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	size_t n;
	int r, ret = 0;
	memset(s, 0, sizeof(*s));
	if (!o->server_config || !fleet_detects(o))
		return 0;
	s->h.host = xstrdup(o->params.host);
	r = fleet_one_host(o, &s->h, &s->cat, &s->names, &n, &err);
	if (r == -2) {
		complain_line(err.buf);
		ret = -1;
	} else if (r == 1) {
		o->names = s->names;
		o->nnames = n;
	} else if (r == -1) {	/* no payment plugin: the report says so, exit 0 */
		if (!strcmp(format, "json"))
			report_unaudited_json(&s->h, ro, &out);
		else if (!strcmp(format, "text"))
			report_unaudited_text(&s->h, &out);
		else
			hosts_report(&s->h, 1, format, ro, excl_file, &out);
		ret = 1;
		if (write_file_atomic(output ? output : "-", out.buf, out.len, &err) < 0) {
			complain("%s", err.buf);
			ret = -1;
		}
	}
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}

void shop_release(struct shop *s)
{
	free(s->h.host);
	free(s->h.docroot);
	free(s->h.where);
	free(s->h.plugins);
	free(s->names);
	catalog_release(&s->cat);
	memset(s, 0, sizeof(*s));
}
