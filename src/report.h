/*
 * report: the writers of an audit's result. Each reads the same structs
 * (audit.h) and appends to a buffer; the caller decides where it goes.
 */
#ifndef MCA_REPORT_H
#define MCA_REPORT_H

#include "audit.h"
#include "util/strbuf.h"

struct report_opts {
	int color;		/* ANSI colours (text only) */
	const char *version;	/* the tool's */
	unsigned dialects;	/* exclusion dialects to show (bit set of enum dialect) */
};

void report_text(const struct audit *a, const struct report_opts *o, struct strbuf *out);
void report_json(const struct audit *a, const struct report_opts *o, struct strbuf *out);

#endif
