/*
 * server: what a web server with this WAF does with one ftw stage.
 *
 *   - A request the server refuses while reading it (ftwtest.h: `refused`,
 *     platform.h) gets the server's own answer (400, 405, 414, 501, 505,
 *     or none: the client sees an error) before the WAF sees it: no rule
 *     runs, nothing is logged. An HTTP/0.9 request, or one whose body
 *     never completes, runs through the WAF, but the client gets no
 *     answer it can read (an error). A handler status (Apache's 405 for
 *     CONNECT) replaces the backend's answer.
 *   - Otherwise the request runs through the engine as one transaction.
 *     The backend behind the WAF is go-ftw's, albedo (a Go server): it
 *     answers with the stage's `input.response` when given; a POST to
 *     /reflect with a JSON body as albedo does (the body's "status",
 *     "headers", "body" or base64 "encodedBody"); anything else with its
 *     default handler's empty 200, unless a POST to /configure_reflection
 *     earlier in the same test made that method and request-target a
 *     dynamic endpoint (struct albedo; a PUT to /reset forgets them all).
 *     Go's server then sniffs a Content-Type
 *     for a body sent without one (sniff.h): that is what makes
 *     libmodsecurity read the body of CRS's response tests. The answer
 *     goes through phases 3 and 4 as a server hands it over.
 *   - When a rule disrupts, the client gets the intervention's status (and
 *     Location for redirects) with the server's error page; a rule whose
 *     actions say `drop` closes the connection: the client sees an error
 *     and no status. In DetectionOnly nothing disrupts and the backend's
 *     answer goes out.
 *   - The log is what the server writes to its error log for this
 *     request: libmodsecurity's log lines plus the intervention's (the
 *     blocking rule's line only arrives there).
 *
 * A stage_result owns everything in it (stage_result_release).
 */
#ifndef MCA_SERVER_H
#define MCA_SERVER_H

#include <stddef.h>
#include "engine.h"
#include "ftwtest.h"
#include "ruleset.h"
#include "util/strbuf.h"

struct stage_result {
	int status;		/* what the client receives; 0 with `error` */
	int error;		/* the connection closed without an answer */
	char *error_why;	/* "rule 5 drops the connection" */
	int refused;		/* the server answered 400 itself */
	long *fired;		/* rule ids in the log, in order, each once */
	size_t nfired;
	long disruptive_id;	/* the rule that disrupted, 0 when none */
	struct strbuf log;	/* the log lines, each ending in '\n' */
	struct strbuf response;	/* status line, headers, body, as received */
	double ms;		/* wall time of the stage */
};

/* albedo's dynamic endpoints (its /configure_reflection): the answer it
 * gives a method + request-target, configured by an earlier stage. albedo
 * keeps them until a PUT /reset; here they live for one test (its stages
 * run in order on one thread; tests run in parallel, so no test sees
 * another's), which is how the tests that use them are written: configure,
 * request, reset. Owned by the caller: albedo_release. */
struct albedo_endpoint {
	char *method, *target;
	struct response resp;
};
struct albedo {
	struct albedo_endpoint *v;
	size_t n, alloc;
};
void albedo_release(struct albedo *a);

/* Run one stage. `rs` tells which rules drop (may be NULL); `a` is the
 * test's albedo state (NULL: none kept). */
void server_run_stage(struct engine *e, const struct ruleset *rs,
		      const struct ftw_stage *st, struct albedo *a, struct stage_result *out);
void stage_result_release(struct stage_result *r);

/* The backend's answer to the stage's request (input.response, albedo's
 * /reflect, or the default page), into a fresh `resp` (response_release). */
void server_backend(const struct ftw_stage *st, const struct albedo *a, struct response *resp);
/* What the stage's request does to albedo's state once it reaches the
 * backend (a /configure_reflection or a /reset), when `a` is not NULL. */
void server_backend_effects(const struct ftw_stage *st, struct albedo *a);

/* --backend page: every stage without its own input.response gets a 200
 * text/html page (a site's answer; albedo's empty 200 has no Content-Type,
 * so libmodsecurity inspects no response body and phase 4 rules on it
 * never run: MRTS's phase-4 tests pass on a real server only with a page
 * behind it, measured on Apache 2.4 + mod_security2). */
struct ftw_suite;
void server_page_backend(struct ftw_suite *s);

/* "Forbidden" for 403; "" for codes it does not know. */
const char *http_reason(int status);

#endif
