/* One function per command, one file per command (git's builtin/ style). */
#ifndef MCA_COMMANDS_H
#define MCA_COMMANDS_H

int cmd_audit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_logs(int argc, char **argv);

/* Print "modsec-callback-audit: <msg>" to stderr. */
void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
