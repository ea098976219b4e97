/*
 * txmemo: results of transactions the audit has run, by what decides them.
 *
 * A transaction's result is a function of the engine's rules and of the
 * request and response bytes, when three things hold, and the audit makes
 * them hold:
 *   - its engine starts every transaction with empty persistent
 *     collections (engine_fresh_collections): nothing a previous
 *     transaction wrote to IP/GLOBAL/SESSION/USER/RESOURCE is read;
 *   - the rule set does nothing random or remote that shows in a verdict
 *     (@rbl, exec, Lua and remote rules are neutralised by the loader;
 *     unique_id and time stamps appear only in log lines' unique_id, which
 *     no verdict reads);
 *   - engines of one audit differ only by the exclusions loaded before the
 *     server's rules and the startup text after them, so `config` (the
 *     caller's key for those) plus the request names the engine. The
 *     caller keys runtime exclusions by what fires for the request
 *     (witness.h): exclusions that do not fire change nothing.
 * TIME_* variables read the clock: two runs of one request a second apart
 * could differ only in a rule on the time of day, the same race a second
 * run of the audit has.
 *
 * The memo lives as long as one audit (one rule set, one set of imposed
 * settings); it copies what it stores and what it gives back.
 */
#ifndef MCA_TXMEMO_H
#define MCA_TXMEMO_H

#include "engine.h"
#include "request.h"

struct txmemo;

struct txmemo *txmemo_new(void);
void txmemo_free(struct txmemo *m);

/* The bytes that decide a transaction: the engine's `config` (the
 * caller's words for what differs between the audit's engines) and the
 * request and response, as one string of *len bytes: equal keys run the
 * same. Free with free(). */
char *txmemo_key(const char *config, const struct request *req, const struct response *resp,
		 size_t *len);

/* Is there a result for `key`? Then copy it into *out and return 1; else
 * 0 (*out untouched). */
int txmemo_get(struct txmemo *m, const char *key, size_t len, struct txresult *out);
/* Keep a copy of `r` as the result for `key` (the first one stays). */
void txmemo_put(struct txmemo *m, const char *key, size_t len, const struct txresult *r);

void txresult_copy(struct txresult *dst, const struct txresult *src);

/* FNV-1a over `len` bytes, continuing from `h` (start with TXMEMO_SEED). */
#define TXMEMO_SEED 1469598103934665603ULL
unsigned long long txmemo_hash(unsigned long long h, const void *p, size_t len);

#endif
