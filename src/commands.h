/* One function per command, one file per command (git's builtin/ style). */
#ifndef MCA_COMMANDS_H
#define MCA_COMMANDS_H

int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_logs(int argc, char **argv);

/* Print "modsec-callback-audit: <msg>" to stderr. */
/* The audit command's hosts (cmd_hosts.c). */
#include "fleet.h"

/* --all-hosts: every host of o->server_config, one report; the exit status. */
int audit_all_hosts(const struct audit_opts *o, const char *format, const char *output,
		    const struct report_opts *ro, const char *excl_file);

/* --host NAME with a server configuration: the shop's document root
 * decides the callbacks (fleet_one_host). */
struct shop {
	struct host_result h;	/* h.plugins NULL: not looked at */
	struct catalog cat;
	const char **names;
};
/* 0: audit (o->names set when the plugins chose); 1: no payment plugin,
 * the report is written (exit 0); -1: an error was printed (exit 2). */
int audit_shop(struct audit_opts *o, struct shop *s, const char *format, const char *output,
	       const struct report_opts *ro, const char *excl_file);
void shop_release(struct shop *s);

void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
