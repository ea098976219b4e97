/*
 * txbench: the cost of one callback transaction through the real engine.
 * Loads the given rule files once (as the audit does), then runs the
 * catalogue's kco-push (path form) N times in batches and prints the
 * median per-transaction time of the batches.
 *   txbench CATALOGUE N RULES...
 */
#include "audit.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct ruleset rs;
	struct catalog cat;
	struct build_params p;
	struct request req;
	struct response resp;
	struct strbuf err = STRBUF_INIT;
	struct engine *e;
	const struct callback *cb;
	double batches[15], t0;
	int n, line;

	if (argc < 4) {
		fprintf(stderr, "usage: txbench CATALOGUE N RULES...\n");
		return 2;
	}
	n = atoi(argv[2]);
	ruleset_init(&rs);
	t0 = now();
	for (int i = 3; i < argc; i++)
		if (ruleset_add_file(&rs, argv[i], &err) < 0) {
			fprintf(stderr, "%s\n", err.buf);
			return 2;
		}
	e = engine_new(&err);
	for (size_t u = 0; e && u < rs.nunits; u++)
		if (engine_add_rules(e, rs.units[u].text.buf, &line, &err) < 0) {
			fprintf(stderr, "%s\n", err.buf);
			return 2;
		}
	printf("load (read + libmodsecurity parse): %.1f ms\n", (now() - t0) * 1000);
	if (catalog_load(&cat, argv[1], &err) < 0 || !(cb = catalog_find(&cat, "kco-push"))) {
		fprintf(stderr, "%s\n", err.buf);
		return 2;
	}
	build_params_defaults(&p);
	callback_request(&cat, cb, FORM_PATH, &p, &req, &resp);
	for (int b = 0; b < 15; b++) {
		t0 = now();
		for (int i = 0; i < n; i++) {
			struct txresult tx;
			engine_run(e, &req, &resp, &tx);
			txresult_release(&tx);
		}
		batches[b] = (now() - t0) / n;
	}
	qsort(batches, 15, sizeof(double), cmp);
	printf("one kco-push transaction (blocked by 211180 in phase 2): median %.3f ms over 15 batches of %d\n",
	       batches[7] * 1000, n);
	request_release(&req);
	response_release(&resp);
	catalog_release(&cat);
	engine_free(e);
	ruleset_release(&rs);
	strbuf_release(&err);
	return 0;
}
