/*
 * cliopts: checks of option values the commands share (audit and probe
 * select callbacks the same way; three commands take --color). Each
 * returns 0, or complains with the option's one-line message and returns
 * -1 (the command then exits 2).
 */
#ifndef MCA_CLIOPTS_H
#define MCA_CLIOPTS_H

#include "audit.h"

/* A whole number in [lo, hi]. Silent: the caller words the message. */
int parse_number(const char *s, long lo, long hi, long *out);

int opt_kco_version(const char *arg);
int opt_url_forms(const char *arg, unsigned *forms);
int opt_header(const char *arg);		/* "Name: value" */
int opt_order_id(const char *arg);		/* hex digits and '-' */
int opt_color(const char *arg);			/* auto, always, never */
/* One of `choices` (NULL-ended): its index, or -1 after the option's
 * message ("--format: \"x\" is not text, json or junit"). */
int opt_choice(const char *opt, const char *arg, const char *const *choices);
int opt_host(const char *arg);			/* a host name, optionally :port */
int opt_client_ip(const char *arg);
/* An error as one readable line (file:line kept, the rest cut at 300). */
void complain_line(const char *msg);		/* an IPv4 or IPv6 address */

/* Colours for --color WHEN: always, or auto when writing a terminal
 * (stdout, no -o) and NO_COLOR is unset. */
int color_wanted(const char *when, const char *output);

/*
 * The options several commands take alike (audit, probe, logs, check):
 * each command's getopt_long table names those it takes with these codes
 * (its own codes start at OPT_OWN) and hands every option to cli_take()
 * first, so -r/-R, --callbacks, --callback, --provider, --kco-version,
 * --url-form, --host, -H, --order-id, --client-ip, --server-config,
 * --root, --discover, --engine, --pcre, --allow-lua, --no-attack-probes,
 * --source-ip and --max-rounds mean and check the same everywhere.
 */
enum {
	OPT_CALLBACKS = 256, OPT_CALLBACK, OPT_PROVIDER, OPT_KCO, OPT_FORMS, OPT_HOST, OPT_ORDER, OPT_CLIENT,
	OPT_SERVER, OPT_ROOT, OPT_DISCOVER, OPT_ENGINE, OPT_PCRE, OPT_LUA, OPT_NOPROBES, OPT_SRCIP, OPT_ROUNDS,
	OPT_OWN
};

/* getopt_long entries for option groups several commands take alike. */
#define CLI_OPTS_RULES \
	{ "rules", required_argument, NULL, 'r' }, \
	{ "rule", required_argument, NULL, 'R' }
/* choosing the callbacks and what they carry (audit, probe) */
#define CLI_OPTS_SELECT \
	{ "callbacks", required_argument, NULL, OPT_CALLBACKS }, \
	{ "callback", required_argument, NULL, OPT_CALLBACK }, \
	{ "provider", required_argument, NULL, OPT_PROVIDER }, \
	{ "kco-version", required_argument, NULL, OPT_KCO }, \
	{ "url-form", required_argument, NULL, OPT_FORMS }, \
	{ "host", required_argument, NULL, OPT_HOST }, \
	{ "header", required_argument, NULL, 'H' }, \
	{ "order-id", required_argument, NULL, OPT_ORDER }

struct cli_take {
	/* where the values go: set by the command (NULL: it takes none) */
	struct audit_opts *o;		/* --server-config ... --max-rounds */
	struct build_params *params;	/* --host, --order-id, --client-ip */
	const char **providers, **kco_version;
	unsigned *forms;
	/* gathered here (cli_take_release frees the arrays and catalogue) */
	struct rule_source *src;	/* -r FILE, -R TEXT, in order */
	size_t nsrc, asrc;
	char *catalogue;		/* --callbacks */
	const char **names;		/* --callback */
	size_t nnames, anames;
	const char **headers;		/* -H */
	size_t nheaders, aheaders;
	int discover;			/* --discover */
	int engine_given;		/* --engine */
};

/* 1: `c` was one of the shared options and is read; 0: it is not; -1: a
 * bad value (its one-line message printed: exit 2). */
int cli_take(struct cli_take *t, int c, const char *arg);
void cli_take_release(struct cli_take *t);

#endif
