/*
 * seclang: splitting ModSecurity configuration text into directives,
 * arguments and actions, without interpreting them.
 *
 * The tool never hands a server's files to libmodsecurity verbatim (they
 * may run code or write logs), so it reads them itself first. Splitting is
 * lossless: every argument keeps its raw text (quotes and escapes as
 * written) so a directive can be re-emitted with only the parts we change.
 */
#ifndef MCA_SECLANG_H
#define MCA_SECLANG_H

#include <stddef.h>
#include "util/strbuf.h"

struct seclang_arg {
	char *raw;	/* as written, with quotes when it was quoted */
	char *inner;	/* between the quotes, escapes untouched */
	int quoted;
};

struct seclang_directive {
	char *name;			/* "SecRule", as written */
	struct seclang_arg *args;
	size_t nargs;
	int unterminated;		/* the last argument's quote is not closed */
};

/* Split one logical line (continuations already joined). Every line splits:
 * a quote left open runs to the end of the line, as Apache's
 * ap_getword_conf and libmodsecurity 3.0.9's lexer read it (both servers
 * load such a rule and run it: measured), with `unterminated` set. A blank
 * line or comment gives name == NULL. */
void seclang_split(const char *line, struct seclang_directive *d);
void seclang_directive_release(struct seclang_directive *d);

struct seclang_action {
	char *name;	/* "setvar" */
	char *value;	/* unquoted value, or NULL ("deny") */
	char *raw;	/* the action as written, "setvar:'tx.x=1'" */
};

/* Split an action list ("id:1,phase:2,msg:'a, b'") at top-level commas.
 * Returns the number of actions; *out is malloc'd (free with
 * seclang_actions_free). */
size_t seclang_actions(const char *list, struct seclang_action **out);
void seclang_actions_free(struct seclang_action *a, size_t n);
/* Value of the first action `name`, or NULL. */
const char *seclang_action_value(const struct seclang_action *a, size_t n, const char *name);
int seclang_has_action(const struct seclang_action *a, size_t n, const char *name);

/* Quote `s` as a SecLang double-quoted argument. */
void seclang_quote(struct strbuf *out, const char *s);

#endif
