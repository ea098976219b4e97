/*
 * cliopts: checks of option values the commands share (audit and probe
 * select callbacks the same way; three commands take --color). Each
 * returns 0, or complains with the option's one-line message and returns
 * -1 (the command then exits 2).
 */
#ifndef MCA_CLIOPTS_H
#define MCA_CLIOPTS_H

/* A whole number in [lo, hi]. Silent: the caller words the message. */
int parse_number(const char *s, long lo, long hi, long *out);

int opt_kco_version(const char *arg);
int opt_url_forms(const char *arg, unsigned *forms);
int opt_header(const char *arg);		/* "Name: value" */
int opt_order_id(const char *arg);		/* hex digits and '-' */
int opt_color(const char *arg);			/* auto, always, never */
int opt_host(const char *arg);			/* a host name, optionally :port */
int opt_client_ip(const char *arg);
/* An error as one readable line (file:line kept, the rest cut at 300). */
void complain_line(const char *msg);		/* an IPv4 or IPv6 address */

/* Colours for --color WHEN: always, or auto when writing a terminal
 * (stdout, no -o) and NO_COLOR is unset. */
int color_wanted(const char *when, const char *output);

#endif
