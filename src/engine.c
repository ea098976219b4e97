#include "engine.h"

#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

struct engine {
	ModSecurity *msc;
	RulesSet *rules;
};

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
	for (size_t u = 0; u < rs->nunits; u++) {
		struct origin at;
		if (rs->units[u].inactive)
			continue;
		if (rs->units[u].scope && (u >= 64 || !(scoped & (1ULL << u))))
			continue;
		strbuf_reset(&why);
		if (engine_add_rules(e, rs->units[u].text.buf, &line, &why) == 0)
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
	RulesSet *rules = msc_create_rules_set();
	int r = quiet_add(rules, text, &error);
	msc_rules_cleanup(rules);
	return rules_error(r, error, err_line, err);
}

/* libmodsecurity's verdict on a load, as engine_add_rules() gives it. */
static int rules_error(int r, const char *error, int *err_line, struct strbuf *err)
{
	*err_line = 0;
	if (r >= 0 && !error)
		return 0;
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
	return -1;
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

void engine_run(struct engine *e, const struct request *req,
		const struct response *resp, struct txresult *out)
{
	Transaction *t;
	char version[32];

	memset(out, 0, sizeof(*out));
	out->status = resp ? resp->status : 200;
	t = msc_new_transaction(e->msc, e->rules, out);
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
