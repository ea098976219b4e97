/*
 * ftwtxbench: bare libmodsecurity time for an ftw corpus. Loads the rules
 * and the tests as `test` does, then runs every stage's request through
 * one engine with the same backend answer (engine_run: the transaction
 * alone, no log parsing, no checking, no reports, one thread) and prints
 * the wall time and transactions/s.
 *   ftwtxbench -r RULES [-r RULES...] TESTPATH...
 */
#include "engine.h"
#include "ftwtest.h"
#include "ruleset.h"
#include "server.h"

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

int main(int argc, char **argv)
{
	struct ruleset rs;
	struct ftw_suite s;
	struct strbuf err = STRBUF_INIT;
	struct engine *e;
	const char **paths = xcalloc((size_t)argc, sizeof(char *));
	size_t npaths = 0, ntx = 0;
	double t0;

	ruleset_init(&rs);
	ftw_suite_init(&s);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			if (ruleset_add_file(&rs, argv[++i], &err) < 0)
				goto fail;
		} else {
			paths[npaths++] = argv[i];
		}
	}
	if (ftw_suite_load(&s, paths, npaths, &err) < 0)
		goto fail;
	if (!(e = engine_new_mode(rs.rule_engine, &err)) || engine_load_ruleset(e, &rs, &err) < 0)
		goto fail;
	t0 = now();
	for (size_t f = 0; f < s.nfiles; f++)
		for (size_t t = 0; t < s.files[f].ntests; t++)
			for (size_t k = 0; k < s.files[f].tests[t].nstages; k++) {
				const struct ftw_stage *st = &s.files[f].tests[t].stages[k];
				struct txresult tx;
				struct response resp;
				if (st->refused)
					continue;
				server_backend(st, &resp);
				engine_run(e, &st->req, &resp, &tx);
				txresult_release(&tx);
				response_release(&resp);
				ntx++;
			}
	{
		double dt = now() - t0;
		printf("bare libmodsecurity: %zu transactions in %.3f s (%.0f tx/s, 1 thread)\n",
		       ntx, dt, dt > 0 ? (double)ntx / dt : 0.0);
	}
	engine_free(e);
	ftw_suite_release(&s);
	ruleset_release(&rs);
	free(paths);
	return 0;
fail:
	fprintf(stderr, "ftwtxbench: %s\n", err.buf);
	return 2;
}
