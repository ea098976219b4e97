#include "engine.h"
#include "engine_v2json.h"

#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

struct engine {
	ModSecurity *msc;
	RulesSet *rules;
	int v2_json_names;	/* a ModSecurity 2 rule set: JSON named as v2 does (engine_v2json.h) */
	/* engine_fresh_collections: the instances each transaction ran on,
	 * cleaned up with the engine (never while another thread may be
	 * running a transaction: msc_cleanup cleans up libxml2's globals) */
	int fresh;
	ModSecurity **spent;
	size_t nspent, aspent;
};

/* msc_init and the engines' lists of spent instances are shared between
 * the threads running transactions. */
static pthread_mutex_t fresh_lock = PTHREAD_MUTEX_INITIALIZER;

/* The parse cache: one parsed RulesSet per distinct unit text, kept for
 * the life of the process and merged (never copied) into every engine
 * that loads that text. msc_rules_merge in 3.0.9 is the very code
 * msc_rules_add runs after parsing (RulesSet::merge(Driver*) and
 * merge(RulesSet*) are the same body): it appends the unit's
 * shared_ptr<Rule>s behind what the engine holds, checks duplicate ids
 * against it, and merges the settings (first value wins, audit-log settings
 * last value wins, SecDefaultAction and exceptions add up), so an engine
 * built from cached units equals one that parsed them. Entries start
 * with the prelude's fixed settings, as the units did when each was
 * parsed behind the prelude. The one setting merge that is not the same
 * is SecResponseBodyMimeTypesClear (it clears what came before only when
 * merged from the parser): units naming it are always parsed in place.
 *
 * The cache is used only while building engines, which is single-threaded
 * (libmodsecurity's parser is not reentrant); transactions on engines that
 * share cached rules may run on several threads at once (3.0.9's rules are
 * read-only while evaluating; each engine keeps its own ModSecurity
 * instance and so its own collections). */
struct parsed {
	char *text;
	size_t len;
	unsigned long long hash;
	RulesSet *rules;
};
static struct {
	struct parsed *v;
	size_t n, alloc;
	int disabled;		/* 1: parse in place (engine_parse_cache) */
	int env_read;
} cache;

/* engine_check_rules' answers by text: the fitting step asks the same of
 * every load when a rule set is read again (the paranoia sweep reads it
 * once per level). Kept until engine_parse_cache_release. */
struct checked {
	char *text;
	size_t len;
	unsigned long long hash;
	int r, line;
	char *why;
};
static struct {
	struct checked *v;
	size_t n, alloc;
} checks;

/* Work counters for the report and the benchmark. */
static struct engine_stats stats;

/* Settings the tool imposes. libmodsecurity keeps the first value set
 * across loads, so these come first. The server's SecRuleEngine is read
 * and reported by the ruleset loader; the audit runs with it On, so every
 * rule may disrupt and it sees what a blocking server would do; the test
 * command puts the rule set's own value here (engine_new_mode). */
static const char prelude[] =
	"SecAuditEngine Off\n"
	"SecAuditLogType Serial\n"
	"SecAuditLog /dev/null\n"
	"SecDebugLogLevel 0\n"
	"SecUploadKeepFiles Off\n";

/* A hash of a unit's text, 8 bytes a step: the cache is looked up for
 * every unit of every engine, and a Comodo set's unit is ~1.5 MB (a byte
 * at a time, FNV-1a took 5% of an audit). Equal hashes are confirmed
 * with memcmp. */
static unsigned long long text_hash(const char *t, size_t len)
{
	unsigned long long h = 1469598103934665603ULL ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		unsigned long long w;
		memcpy(&w, t + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)t[i]) * 1099511628211ULL;
	return h;
}

static int cache_on(void)
{
	if (!cache.env_read) {
		const char *v = getenv("MCA_PARSE_CACHE");
		cache.env_read = 1;
		if (v && !strcmp(v, "0"))
			cache.disabled = 1;
	}
	return !cache.disabled;
}

void engine_parse_cache(int enable)
{
	cache.env_read = 1;
	cache.disabled = !enable;
}

void engine_parse_cache_release(void)
{
	for (size_t i = 0; i < cache.n; i++) {
		msc_rules_cleanup(cache.v[i].rules);
		free(cache.v[i].text);
	}
	free(cache.v);
	cache.v = NULL;
	cache.n = cache.alloc = 0;
	for (size_t i = 0; i < checks.n; i++) {
		free(checks.v[i].text);
		free(checks.v[i].why);
	}
	free(checks.v);
	checks.v = NULL;
	checks.n = checks.alloc = 0;
}

void engine_stats_get(struct engine_stats *out)
{
	*out = stats;
}

/* libmodsecurity's error text, as engine_add_rules reports it. */
static void parse_error(const char *error, int *err_line, struct strbuf *err);
static int quiet_add(RulesSet *rules, const char *text, const char **error);

/* The cache's parse of `text` (len, hash h), or NULL. */
static RulesSet *cache_find(const char *text, size_t len, unsigned long long h)
{
	for (size_t i = 0; i < cache.n; i++)
		if (cache.v[i].hash == h && cache.v[i].len == len && !memcmp(cache.v[i].text, text, len))
			return cache.v[i].rules;
	return NULL;
}

/* The parsed set for `text` (len, hash h): parsed now (behind the
 * prelude's settings) and kept. NULL with the error as engine_add_rules
 * gives it. */
static RulesSet *parse_unit(const char *text, size_t len, unsigned long long h, int *err_line,
			    struct strbuf *err)
{
	const char *error = NULL;
	RulesSet *r;

	*err_line = 0;
	r = msc_create_rules_set();
	stats.rule_sets++;
	if (quiet_add(r, prelude, &error) < 0 || error ||
	    (stats.parses++, quiet_add(r, text, &error) < 0) || error) {
		parse_error(error, err_line, err);
		msc_rules_cleanup(r);
		return NULL;
	}
	ARRAY_PUSH(cache.v, cache.n, cache.alloc);
	cache.v[cache.n].text = xstrdup(text);
	cache.v[cache.n].len = len;
	cache.v[cache.n].hash = h;
	cache.v[cache.n].rules = r;
	cache.n++;
	return r;
}

/* Add one unit to the engine: merged from the cache, or parsed in place. */
static int add_unit(struct engine *e, const char *text, int *err_line, struct strbuf *err)
{
	RulesSet *p;
	const char *error = NULL;
	size_t len;
	unsigned long long h;
	if (!cache_on())
		goto in_place;
	len = strlen(text);
	h = text_hash(text, len);
	p = cache_find(text, len, h);
	if (!p) {
		if (strcasestr(text, "SecResponseBodyMimeTypesClear"))
			goto in_place;
		p = parse_unit(text, len, h, err_line, err);
		if (!p)
			return -1;
	}
	stats.merges++;
	*err_line = 0;
	if (msc_rules_merge(e->rules, p, &error) < 0 || error) {
		parse_error(error, err_line, err);
		return -1;
	}
	return 0;
in_place:
	stats.parses++;
	return engine_add_rules(e, text, err_line, err);
}

int engine_add_cached(struct engine *e, const char *text, int *err_line, struct strbuf *err)
{
	return add_unit(e, text, err_line, err);
}

static void log_cb(void *data, const void *msg)
{
	struct txresult *r = data;
	if (!r || !msg)
		return;
	ARRAY_PUSH(r->lines, r->nlines, r->alines);
	r->lines[r->nlines++] = xstrdup(msg);
}

struct engine *engine_new(struct strbuf *err)
{
	return engine_new_mode("On", err);
}

struct engine *engine_new_mode(const char *rule_engine, struct strbuf *err)
{
	struct engine *e;
	struct strbuf text = STRBUF_INIT;
	int line;

	if (rule_engine && strcasecmp(rule_engine, "On") && strcasecmp(rule_engine, "Off") &&
	    strcasecmp(rule_engine, "DetectionOnly")) {
		strbuf_addf(err, "SecRuleEngine \"%s\" is not On, Off or DetectionOnly", rule_engine);
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	e->msc = msc_init();
	msc_set_connector_info(e->msc, "modsec-callback-audit");
	msc_set_log_cb(e->msc, log_cb);
	e->rules = msc_create_rules_set();
	stats.rule_sets++;
	stats.engines++;
	if (rule_engine)
		strbuf_addf(&text, "SecRuleEngine %s\n", rule_engine);
	strbuf_addstr(&text, prelude);
	if (engine_add_rules(e, text.buf, &line, err) < 0) {
		strbuf_release(&text);
		engine_free(e);
		return NULL;
	}
	strbuf_release(&text);
	return e;
}

int engine_load_ruleset(struct engine *e, const struct ruleset *rs, struct strbuf *err)
{
	return engine_load_units(e, rs, 0, err);
}

int engine_load_units(struct engine *e, const struct ruleset *rs, unsigned long long scoped,
		      struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int line;
	e->v2_json_names = rs->engine_v2;
	/* the applying scopes' settings first (load_unit.pre) */
	for (size_t u = 0; u < rs->nunits && u < 64; u++) {
		if (rs->units[u].inactive || !rs->units[u].pre.len || !(scoped & (1ULL << u)))
			continue;
		strbuf_reset(&why);
		if (add_unit(e, rs->units[u].pre.buf, &line, &why) < 0) {
			strbuf_addf(err, "%s: %s", rs->units[u].name, why.buf);
			strbuf_release(&why);
			return -1;
		}
	}
	for (size_t u = 0; u < rs->nunits; u++) {
		struct origin at;
		if (rs->units[u].inactive)
			continue;
		if (rs->units[u].scope && (u >= 64 || !(scoped & (1ULL << u))))
			continue;
		strbuf_reset(&why);
		if (add_unit(e, rs->units[u].text.buf, &line, &why) == 0)
			continue;
		at = ruleset_origin(rs, u, line);
		if (at.file)
			strbuf_addf(err, "%s:%d: %s", at.file, at.line, why.buf);
		else
			strbuf_addf(err, "%s: %s", rs->units[u].name, why.buf);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nspent; i++)
		msc_cleanup(e->spent[i]);
	free(e->spent);
	if (e->rules)
		msc_rules_cleanup(e->rules);
	if (e->msc)
		msc_cleanup(e->msc);
	free(e);
}

static int rules_error(int r, const char *error, int *err_line, struct strbuf *err);

/* libmodsecurity 3.0.9's parser writes pieces of some rules it misreads
 * to stdout, where the reports go: it parses with stdout on /dev/null
 * (loading is single-threaded, see engine.h). */
static int quiet_add(RulesSet *rules, const char *text, const char **error)
{
	int saved, devnull, r;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && devnull >= 0)
		dup2(devnull, STDOUT_FILENO);
	r = msc_rules_add(rules, text, error);
	fflush(stdout);
	if (saved >= 0 && devnull >= 0)
		dup2(saved, STDOUT_FILENO);
	if (saved >= 0)
		close(saved);
	if (devnull >= 0)
		close(devnull);
	return r;
}

int engine_add_rules(struct engine *e, const char *text, int *err_line,
		     struct strbuf *err)
{
	const char *error = NULL;
	int r = quiet_add(e->rules, text, &error);
	return rules_error(r, error, err_line, err);
}

int engine_check_rules(const char *text, int *err_line, struct strbuf *err)
{
	const char *error = NULL;
	size_t len = strlen(text);
	unsigned long long h = text_hash(text, len);
	struct strbuf why = STRBUF_INIT;
	RulesSet *rules;
	struct checked *c;
	int r;

	for (size_t i = 0; cache_on() && i < checks.n; i++) {
		c = &checks.v[i];
		if (c->hash == h && c->len == len && !memcmp(c->text, text, len)) {
			*err_line = c->line;
			if (c->r < 0)
				strbuf_addstr(err, c->why);
			return c->r;
		}
	}
	rules = msc_create_rules_set();
	r = quiet_add(rules, text, &error);
	stats.rule_sets++;
	msc_rules_cleanup(rules);
	r = rules_error(r, error, err_line, &why);
	if (r < 0)
		strbuf_addstr(err, why.buf);
	if (cache_on()) {
		ARRAY_PUSH(checks.v, checks.n, checks.alloc);
		c = &checks.v[checks.n++];
		c->text = xstrdup(text);
		c->len = len;
		c->hash = h;
		c->r = r;
		c->line = *err_line;
		c->why = strbuf_detach(&why, NULL);
	}
	strbuf_release(&why);
	return r;
}

static struct checked *check_find(const char *text, size_t len, unsigned long long h)
{
	for (size_t i = 0; i < checks.n; i++)
		if (checks.v[i].hash == h && checks.v[i].len == len && !memcmp(checks.v[i].text, text, len))
			return &checks.v[i];
	return NULL;
}

int engine_check_known(const char *text)
{
	size_t len = strlen(text);
	return cache_on() && check_find(text, len, text_hash(text, len)) != NULL;
}

void engine_check_remember(const char *text)
{
	size_t len = strlen(text);
	unsigned long long h = text_hash(text, len);
	struct checked *c;
	if (!cache_on() || check_find(text, len, h))
		return;
	ARRAY_PUSH(checks.v, checks.n, checks.alloc);
	c = &checks.v[checks.n++];
	c->text = xstrdup(text);
	c->len = len;
	c->hash = h;
	c->r = 0;
	c->line = 0;
	c->why = xstrdup("");
}

struct engine_unit {
	RulesSet *rules;
	int bad;
};

struct engine_unit *engine_unit_begin(void)
{
	struct engine_unit *b;
	const char *error = NULL;
	if (!cache_on())
		return NULL;
	b = xcalloc(1, sizeof(*b));
	b->rules = msc_create_rules_set();
	stats.rule_sets++;
	if (quiet_add(b->rules, prelude, &error) < 0 || error) {
		free((void *)error);
		msc_rules_cleanup(b->rules);
		free(b);
		return NULL;
	}
	return b;
}

int engine_unit_add(struct engine_unit *b, size_t line0, const char *piece)
{
	struct strbuf t = STRBUF_INIT;
	const char *error = NULL;
	int r;
	if (b->bad)
		return -1;
	strbuf_grow(&t, line0 + strlen(piece) + 1);
	for (size_t i = 0; i < line0; i++)
		strbuf_addch(&t, '\n');
	strbuf_addstr(&t, piece);
	r = quiet_add(b->rules, t.buf, &error);
	strbuf_release(&t);
	if (r >= 0 && !error)
		return 0;
	/* a parse that fails changes nothing in the set (RulesSet::load
	 * merges only what parsed); a merge that fails (a duplicated id)
	 * may have merged a part: the set is given up */
	if (!error || strstr(error, "duplicated"))
		b->bad = 1;
	free((void *)error);
	return -1;
}

void engine_unit_abandon(struct engine_unit *b)
{
	if (!b)
		return;
	msc_rules_cleanup(b->rules);
	free(b);
}

void engine_unit_finish(struct engine_unit *b, const char *text)
{
	size_t len = strlen(text);
	unsigned long long h = text_hash(text, len);
	if (b->bad || strcasestr(text, "SecResponseBodyMimeTypesClear")) {
		engine_unit_abandon(b);
		return;
	}
	if (cache_find(text, len, h)) {
		engine_unit_abandon(b);
		return;
	}
	stats.parses++;
	ARRAY_PUSH(cache.v, cache.n, cache.alloc);
	cache.v[cache.n].text = xstrdup(text);
	cache.v[cache.n].len = len;
	cache.v[cache.n].hash = h;
	cache.v[cache.n].rules = b->rules;
	cache.n++;
	free(b);
}

/* libmodsecurity's verdict on a load, as engine_add_rules() gives it. */
static int rules_error(int r, const char *error, int *err_line, struct strbuf *err)
{
	*err_line = 0;
	if (r >= 0 && !error)
		return 0;
	parse_error(error, err_line, err);
	return -1;
}

static void parse_error(const char *error, int *err_line, struct strbuf *err)
{
	*err_line = 0;
	if (error) {
		/* "Rules error. File: X. Line: N. Column: C. message" */
		const char *l = strstr(error, "Line: ");
		const char *msg = error;
		size_t len;
		if (l)
			*err_line = atoi(l + 6);
		if (l) {
			const char *c = strstr(l, "Column: ");
			const char *dot = c ? strchr(c, '.') : strchr(l, '.');
			if (dot)
				msg = dot + 1;
		}
		while (*msg == ' ')
			msg++;
		len = strlen(msg);
		/* "Rules must have an ID. File: 0x6040... at line: 1": the
		 * "file" is a pointer and the line is wrong; callers name the
		 * place from their own line map */
		if (!l && strstr(msg, " File: "))
			len = (size_t)(strstr(msg, " File: ") - msg);
		/* its parser may quote the rest of the file: one line */
		if (memchr(msg, '\n', len) && (size_t)((const char *)memchr(msg, '\n', len) - msg) > 0)
			len = (size_t)((const char *)memchr(msg, '\n', len) - msg);
		while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			len--;
		if (len)
			strbuf_add(err, msg, len);
		else	/* libmodsecurity names the place but gives no reason */
			strbuf_addstr(err, "libmodsecurity rejects this (it gives no reason)");
		free((void *)error);
	} else {
		strbuf_addstr(err, "libmodsecurity refused the rules");
	}
}

/* Read the intervention after a phase. Returns 1 when it disrupts. */
static int check(Transaction *t, struct txresult *out, int phase)
{
	ModSecurityIntervention it;
	int disruptive;
	memset(&it, 0, sizeof(it));
	it.status = 200;
	disruptive = msc_intervention(t, &it) && it.disruptive;
	if (disruptive) {
		out->disrupted = 1;
		out->status = it.status;
		out->phase = phase;
		/* The log says the phase itself: "(phase 2)". */
		if (it.log) {
			const char *p = strstr(it.log, "(phase ");
			if (p)
				out->phase = atoi(p + 7);
			out->intervention_log = xstrdup(it.log);
		}
		if (it.url)
			out->redirect_url = xstrdup(it.url);
	}
	free(it.url);
	free(it.log);
	return disruptive;
}

static void add_header(Transaction *t, const struct header *h, int response)
{
	if (response)
		msc_add_response_header(t, (const unsigned char *)h->name,
					(const unsigned char *)h->value);
	else
		msc_add_request_header(t, (const unsigned char *)h->name,
				       (const unsigned char *)h->value);
}

void engine_fresh_collections(struct engine *e)
{
	e->fresh = 1;
}

/* The instance a transaction runs on: the engine's own, or (fresh
 * collections) a new one with empty collections. */
static ModSecurity *instance_for(struct engine *e)
{
	ModSecurity *m;
	if (!e->fresh)
		return e->msc;
	pthread_mutex_lock(&fresh_lock);
	m = msc_init();
	msc_set_connector_info(m, "modsec-callback-audit");
	msc_set_log_cb(m, log_cb);
	ARRAY_PUSH(e->spent, e->nspent, e->aspent);
	e->spent[e->nspent++] = m;
	pthread_mutex_unlock(&fresh_lock);
	return m;
}

void engine_run(struct engine *e, const struct request *req,
		const struct response *resp, struct txresult *out)
{
	Transaction *t;
	char version[32];

	memset(out, 0, sizeof(*out));
	__atomic_add_fetch(&stats.transactions, 1, __ATOMIC_RELAXED);
	out->status = resp ? resp->status : 200;
	t = msc_new_transaction(instance_for(e), e->rules, out);
	msc_process_connection(t, req->client_ip, req->client_port,
			       req->server_ip, req->server_port);
	msc_process_uri(t, req->uri, req->method, req->version);
	if (check(t, out, 1))
		goto done;
	for (size_t i = 0; i < req->nheaders; i++)
		add_header(t, &req->headers[i], 0);
	msc_process_request_headers(t);
	if (check(t, out, 1))
		goto done;
	if (req->body_len)
		msc_append_request_body(t, (const unsigned char *)req->body, req->body_len);
	if (e->v2_json_names)
		engine_v2json_args(t);
	/* Phase 2 runs here: always call it, even with no body. */
	msc_process_request_body(t);
	if (check(t, out, 2))
		goto done;
	if (resp)
		for (size_t i = 0; i < resp->nheaders; i++)
			add_header(t, &resp->headers[i], 1);
	snprintf(version, sizeof(version), "HTTP %s", req->version);
	msc_process_response_headers(t, resp ? resp->status : 200, version);
	if (check(t, out, 3))
		goto done;
	if (resp && resp->body_len)
		msc_append_response_body(t, (const unsigned char *)resp->body, resp->body_len);
	msc_process_response_body(t);
	check(t, out, 4);
done:
	msc_process_logging(t);
	msc_transaction_cleanup(t);
}

void engine_run_headers(struct engine *e, const struct request *req, struct txresult *out)
{
	Transaction *t;

	memset(out, 0, sizeof(*out));
	__atomic_add_fetch(&stats.header_runs, 1, __ATOMIC_RELAXED);
	out->status = 200;
	t = msc_new_transaction(e->msc, e->rules, out);
	msc_process_connection(t, req->client_ip, req->client_port,
			       req->server_ip, req->server_port);
	msc_process_uri(t, req->uri, req->method, req->version);
	if (!check(t, out, 1)) {
		for (size_t i = 0; i < req->nheaders; i++)
			add_header(t, &req->headers[i], 0);
		msc_process_request_headers(t);
		check(t, out, 1);
	}
	msc_transaction_cleanup(t);
}

void txresult_release(struct txresult *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->intervention_log);
	free(r->redirect_url);
	memset(r, 0, sizeof(*r));
}

const char *engine_version(struct engine *e)
{
	return msc_who_am_i(e->msc);
}
