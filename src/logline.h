/*
 * logline: one libmodsecurity log line -> one structured match.
 *
 * Lines look like
 *   [client 1.2.3.4] ModSecurity: Access denied with code 403 (phase 2).
 *   Matched "Operator `Rx' with parameter `...' against variable `ARGS:x'
 *   (Value: `...' ) [file "f"] [line "3"] [id "942100"] [rev ""] [msg "m"]
 *   [data "d"] [severity "2"] [ver ""] [maturity "0"] [accuracy "0"]
 *   [tag "t"]... [hostname "h"] [uri "/"] [unique_id "u"] [ref "..."]
 * Everything between quotes may come from the request, so fields are found
 * by their known order, never by the first "[id" in the line.
 */
#ifndef MCA_LOGLINE_H
#define MCA_LOGLINE_H

#include <stddef.h>

struct match {
	long id;
	char *msg;
	char *data;
	int severity;		/* -1 unset */
	int phase;		/* from "(phase N)" on disruptive lines, else 0 */
	char *file;		/* as libmodsecurity names it */
	int line;
	char *variable;		/* "ARGS:kco_session_id", "" when unknown */
	char *value;
	char *first_variable;	/* chained rules: the first link's match, when known (set by audit.c) */
	char *param;
	char *ref;		/* libmodsecurity's match offsets: "o4,10v62,14t:lowercase" */		/* the operator's parameter ("5" for 949110's @ge 5) */
	int disruptive;		/* the line is an "Access denied/..." line */
	int status;		/* "with code N", 0 otherwise */
	char **tags;
	size_t ntags;
};

/* Parse `line`. Returns 0, or -1 when it is not a rule match line. On
 * success `m` owns its strings (match_release). */
int logline_parse(const char *line, struct match *m);
void match_release(struct match *m);
void match_copy(struct match *dst, const struct match *src);
/* The variable to show: the first link's for chains when known, else the
 * logged one ("the request" when there is none). */
const char *match_variable(const struct match *m);

#endif
