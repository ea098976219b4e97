/* modsec-callback-audit: arguments and dispatch, nothing else. */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void complain(const char *fmt, ...)
{
	va_list ap;
	fputs("modsec-callback-audit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "audit", cmd_audit },
	{ "check", cmd_check },
	{ "test", cmd_test },
	{ "probe", cmd_probe },
	{ "logs", cmd_logs },
};

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("modsec-callback-audit %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc > 1 && argv[1][0] != '-') {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[1], commands[i].name))
				return commands[i].fn(argc - 1, argv + 1);
		complain("unknown command \"%s\" (try --help)", argv[1]);
		return 2;
	}
	/* no command: audit */
	return cmd_audit(argc, argv);
}
