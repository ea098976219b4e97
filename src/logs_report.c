#include "logs_report.h"
#include "dialect.h"
#include "errorlog.h"
#include "logmatch.h"
#include "report.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- a small ordered set of strings ---- */
static unsigned long hash_s(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void strset_add(struct strset *s, const char *v)
{
	unsigned long k;
	if (!*v)
		return;
	if (s->nslots) {
		for (k = hash_s(v) & (s->nslots - 1); s->slots[k]; k = (k + 1) & (s->nslots - 1))
			if (!strcmp(s->v[s->slots[k] - 1], v))
				return;
	}
	if (s->n >= (s->cap ? s->cap : LOGS_MAX_SET)) {
		s->dropped++;
		return;
	}
	if ((s->n + 1) * 2 > s->nslots) {
		size_t ns = s->nslots ? s->nslots * 2 : 16;
		free(s->slots);
		s->slots = xcalloc(ns, sizeof(size_t));
		s->nslots = ns;
		for (size_t i = 0; i < s->n; i++) {
			for (k = hash_s(s->v[i]) & (ns - 1); s->slots[k]; k = (k + 1) & (ns - 1))
				;
			s->slots[k] = i + 1;
		}
	}
	ARRAY_PUSH(s->v, s->n, s->alloc);
	s->v[s->n] = xstrdup(v);
	for (k = hash_s(v) & (s->nslots - 1); s->slots[k]; k = (k + 1) & (s->nslots - 1))
		;
	s->slots[k] = ++s->n;
}

static void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->nrules; i++)
		free(t->rules[i].msg);
	free(t->rules);
	strset_free(&t->ips);
	strset_free(&t->orders);
}

void logs_report_init(struct logs_report *lr, const struct catalog *cat)
{
	memset(lr, 0, sizeof(*lr));
	lr->cat = cat;
	lr->cbs = xcalloc(cat->n ? cat->n : 1, sizeof(*lr->cbs));
	lr->audited.cap = 1000000;
	for (size_t i = 0; i < cat->n; i++)
		lr->cbs[i].cb = &cat->cbs[i];
}

void logs_report_release(struct logs_report *lr)
{
	for (size_t i = 0; lr->cat && i < lr->cat->n; i++) {
		tally_free(&lr->cbs[i].t);
		for (size_t k = 0; k < lr->cbs[i].nreplay; k++) {
			free(lr->cbs[i].replay[k].key);
			request_release(&lr->cbs[i].replay[k].req);
		}
		free(lr->cbs[i].replay);
	}
	free(lr->cbs);
	for (size_t i = 0; i < lr->nun; i++) {
		free(lr->un[i].method);
		free(lr->un[i].path);
		free(lr->un[i].ua);
		tally_free(&lr->un[i].t);
	}
	free(lr->un);
	strset_free(&lr->audited);
	for (size_t i = 0; i < lr->nskips && i < LOGS_MAX_SKIPS; i++) {
		free(lr->skips[i].file);
		free(lr->skips[i].why);
	}
	memset(lr, 0, sizeof(*lr));
}

/* ---- the sink ---- */
static int wanted(void *ctx, const char *method, const char *uri)
{
	struct logs_report *lr = ctx;
	struct logrec t;
	enum url_form f;
	if (!uri)
		return 0;
	if (logmatch_payment_uri(uri))
		return 1;
	memset(&t, 0, sizeof(t));
	t.req.uri = (char *)uri;
	t.req.method = (char *)(method ? method : "GET");
	t.have_uri = 1;
	t.have_method = method != NULL;
	return logmatch_callback(lr->cat, &t, &f) != NULL;
}

static void add_order(void *ctx, const char *id)
{
	strset_add(ctx, id);
}

static void tally_add(struct tally *t, const struct logrec *r, const struct callback *cb)
{
	size_t i;
	t->blocked++;
	if (r->time && (!t->first || r->time < t->first))
		t->first = r->time;
	if (r->time > t->last)
		t->last = r->time;
	for (i = 0; i < t->nstatuses && t->statuses[i] != r->status; i++)
		;
	if (i == t->nstatuses && i < 8 && r->status)
		t->statuses[t->nstatuses++] = r->status;
	for (size_t m = 0; m < r->nmsgs; m++) {
		const struct logmsg *lm = &r->msgs[m];
		struct rule_tally *rt = NULL;
		size_t seen;
		/* CRS's reporting rules (980xxx) neither refuse nor score */
		if (!lm->id || (lm->id >= 980000 && lm->id <= 980999))
			continue;
		/* a rule counts once per request (it may match several values) */
		for (seen = 0; seen < m && !(r->msgs[seen].id == lm->id &&
					     r->msgs[seen].disruptive == lm->disruptive); seen++)
			;
		if (seen < m)
			continue;
		for (i = 0; i < t->nrules; i++)
			if (t->rules[i].id == lm->id)
				rt = &t->rules[i];
		if (!rt) {
			ARRAY_PUSH(t->rules, t->nrules, t->arules);
			rt = &t->rules[t->nrules++];
			memset(rt, 0, sizeof(*rt));
			rt->id = lm->id;
			rt->msg = xstrdup(lm->msg);
		}
		if (lm->disruptive)
			rt->blocking++;
		else
			rt->contributing++;
	}
	strset_add(&t->ips, r->req.client_ip ? r->req.client_ip : "");
	logmatch_order_ids(r, cb, add_order, &t->orders);
	if (!r->have_headers)
		t->without_detail++;
}

/* one request per URL form and set of refusing rules */
static void keep_for_replay(struct cb_tally *ct, const struct logrec *r, enum url_form form)
{
	struct strbuf key = STRBUF_INIT;
	if (!r->full)
		return;
	strbuf_addf(&key, "%d", (int)form);
	for (size_t m = 0; m < r->nmsgs; m++)
		strbuf_addf(&key, " %ld%s", r->msgs[m].id, r->msgs[m].disruptive ? "!" : "");
	for (size_t i = 0; i < ct->nreplay; i++)
		if (!strcmp(ct->replay[i].key, key.buf)) {
			strbuf_release(&key);
			return;
		}
	if (ct->nreplay >= LOGS_MAX_REPLAY) {
		strbuf_release(&key);
		return;
	}
	ct->replay = xrealloc(ct->replay, (ct->nreplay + 1) * sizeof(*ct->replay));
	ct->replay[ct->nreplay].form = form;
	ct->replay[ct->nreplay].key = strbuf_detach(&key, NULL);
	request_copy(&ct->replay[ct->nreplay].req, &r->req);
	ct->nreplay++;
}

static void emit(void *ctx, struct logrec *r)
{
	struct logs_report *lr = ctx;
	const struct callback *cb;
	enum url_form form = FORM_FIXED;

	lr->records++;
	if (r->engine)
		lr->engines |= 1 << r->engine;
	if (r->time && (!lr->first || r->time < lr->first))
		lr->first = r->time;
	if (r->time > lr->last)
		lr->last = r->time;
	if (r->time && ((lr->since && r->time < lr->since) || (lr->until && r->time > lr->until)))
		return;
	lr->in_range++;
	if (!r->intercepted)
		return;
	if (r->unique_id && r->kind == LOG_ERRORLOG && lr->audited.n) {
		size_t before = lr->audited.n, dropped = lr->audited.dropped;
		strset_add(&lr->audited, r->unique_id);
		if (lr->audited.n == before && lr->audited.dropped == dropped) {
			lr->duplicates++;	/* the audit log had it, in full */
			return;
		}
	}
	lr->blocked++;
	cb = logmatch_callback(lr->cat, r, &form);
	if (r->unique_id && r->kind != LOG_ERRORLOG)
		strset_add(&lr->audited, r->unique_id);
	if (cb) {
		struct cb_tally *ct = &lr->cbs[cb - lr->cat->cbs];
		tally_add(&ct->t, r, cb);
		keep_for_replay(ct, r, form);
		return;
	}
	if (!r->have_uri || !logmatch_payment_uri(r->req.uri))
		return;
	{
		char *path = uri_decode_path(r->req.uri);
		const char *method = r->have_method ? r->req.method : "";
		const char *ua = r->have_headers ? request_header(&r->req, "User-Agent") : NULL;
		struct unmatched *u = NULL;
		if (!ua)
			ua = "";
		for (size_t i = 0; i < lr->nun && !u; i++)
			if (!strcmp(lr->un[i].method, method) && !strcmp(lr->un[i].path, path) &&
			    !strcmp(lr->un[i].ua, ua))
				u = &lr->un[i];
		if (!u && lr->nun >= LOGS_MAX_UNMATCHED) {
			lr->un_dropped++;
		} else if (!u) {
			ARRAY_PUSH(lr->un, lr->nun, lr->aun);
			u = &lr->un[lr->nun++];
			memset(u, 0, sizeof(*u));
			u->method = xstrdup(method);
			u->path = xstrdup(path);
			u->ua = xstrdup(ua);
		}
		if (u)
			tally_add(&u->t, r, NULL);
		free(path);
	}
}

static void skipped(void *ctx, const char *file, long line, const char *why)
{
	struct logs_report *lr = ctx;
	if (lr->nskips < LOGS_MAX_SKIPS) {
		lr->skips[lr->nskips].file = xstrdup(file);
		lr->skips[lr->nskips].line = line;
		lr->skips[lr->nskips].why = xstrdup(why);
	}
	lr->nskips++;
}

void logs_report_sink(struct logs_report *lr, struct logsink *sink)
{
	sink->ctx = lr;
	sink->wanted = wanted;
	sink->emit = emit;
	sink->skipped = skipped;
}

size_t logs_callbacks_blocked(const struct logs_report *lr)
{
	size_t n = 0;
	for (size_t i = 0; i < lr->cat->n; i++)
		n += lr->cbs[i].t.blocked > 0;
	return n;
}

void logs_report_replayed(struct logs_report *lr, const struct audit *a)
{
	lr->audit = a;
	for (size_t i = 0; i < a->ncases; i++) {
		const struct audit_case *c = &a->cases[i];
		struct cb_tally *ct = &lr->cbs[catalog_find(lr->cat, c->cb->name) - lr->cat->cbs];
		ct->replayed++;
		if (c->outcome != OUT_PASSED && !ct->still_blocked) {
			ct->still_blocked = 1;
			ct->still_by = c->v.disruptive_id;
		}
	}
}

/* ---- writers ---- */
static void fmt_time(long long t, int iso, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!t) {
		snprintf(buf, n, "unknown");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, n, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Rules that refused, by how many callbacks they refused: the rules to fix. */
struct fix { long id; size_t callbacks; int score; };

static size_t rules_to_fix(const struct logs_report *lr, struct fix **out)
{
	struct fix *f = NULL;
	size_t n = 0, alloc = 0;
	for (size_t i = 0; i < lr->cat->n; i++) {
		const struct tally *t = &lr->cbs[i].t;
		for (size_t r = 0; r < t->nrules; r++) {
			size_t k;
			if (!t->rules[r].blocking)
				continue;
			for (k = 0; k < n && f[k].id != t->rules[r].id; k++)
				;
			if (k == n) {
				ARRAY_PUSH(f, n, alloc);
				f[n].id = t->rules[r].id;
				/* CRS's evaluation: what to fix is what scored */
				f[n].score = strstr(t->rules[r].msg, "Anomaly Score Exceeded") != NULL;
				f[n++].callbacks = 0;
			}
			f[k].callbacks++;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && f[k].callbacks > f[k - 1].callbacks; k--) {
			struct fix tmp = f[k];
			f[k] = f[k - 1];
			f[k - 1] = tmp;
		}
	*out = f;
	return n;
}

static size_t orders_affected(const struct logs_report *lr, struct strset *all)
{
	for (size_t i = 0; i < lr->cat->n; i++)
		for (size_t k = 0; k < lr->cbs[i].t.orders.n; k++)
			strset_add(all, lr->cbs[i].t.orders.v[k]);
	return all->n;
}

static void text_rules(struct strbuf *out, const struct tally *t, const char *indent)
{
	for (int pass = 0; pass < 2; pass++) {
		int any = 0;
		for (size_t r = 0; r < t->nrules; r++) {
			const struct rule_tally *rt = &t->rules[r];
			if (pass == 0 ? !rt->blocking : rt->blocking)
				continue;
			if (!any)
				strbuf_addf(out, "%s%s:\n", indent, pass == 0 ? "blocking" : "also matched");
			any = 1;
			strbuf_addf(out, "%s  %ld  %s (%zu)\n", indent, rt->id, rt->msg,
				    pass == 0 ? rt->blocking : rt->contributing);
		}
	}
}

static void text_set(struct strbuf *out, const char *label, const struct strset *s, size_t max)
{
	if (!s->n)
		return;
	strbuf_addf(out, "    %s:", label);
	for (size_t i = 0; i < s->n && i < max; i++)
		strbuf_addf(out, "%s%s", i ? ", " : " ", s->v[i]);
	if (s->n > max || s->dropped)
		strbuf_addf(out, " and %zu more", s->n - (s->n > max ? max : s->n) + s->dropped);
	strbuf_addch(out, '\n');
}

static void text_tally(struct strbuf *out, const struct tally *t)
{
	char a[40], b[40];
	fmt_time(t->first, 0, a, sizeof(a));
	fmt_time(t->last, 0, b, sizeof(b));
	strbuf_addf(out, "    blocked %zu time%s, first %s, last %s, status", t->blocked,
		    t->blocked == 1 ? "" : "s", a, b);
	for (size_t i = 0; i < t->nstatuses; i++)
		strbuf_addf(out, "%s%d", i ? ", " : " ", t->statuses[i]);
	if (!t->nstatuses)
		strbuf_addstr(out, " unknown");
	strbuf_addch(out, '\n');
	text_rules(out, t, "    ");
	text_set(out, "from", &t->ips, 10);
	text_set(out, "orders", &t->orders, 50);
}

void logs_report_text(const struct logs_report *lr, struct strbuf *out)
{
	size_t ncb = logs_callbacks_blocked(lr), reqs = 0, still = 0, replayed = 0;
	struct strset all = { 0 };
	struct fix *fix;
	size_t nfix = rules_to_fix(lr, &fix), norders = orders_affected(lr, &all);
	char a[40], b[40];

	for (size_t i = 0; i < lr->cat->n; i++) {
		reqs += lr->cbs[i].t.blocked;
		replayed += lr->cbs[i].replayed > 0;
		still += lr->cbs[i].still_blocked;
	}
	/* the summary first: what was lost, which orders, what to fix */
	strbuf_addf(out, "Callbacks lost: %zu callback%s blocked in %zu request%s", ncb, ncb == 1 ? "" : "s",
		    reqs, reqs == 1 ? "" : "s");
	strbuf_addf(out, "; %zu order%s affected\n", norders, norders == 1 ? "" : "s");
	if (norders) {
		strbuf_addstr(out, "Orders to check in the payment provider's portal:");
		for (size_t i = 0; i < all.n && i < 50; i++)
			strbuf_addf(out, "%s%s", i ? ", " : " ", all.v[i]);
		if (all.n > 50)
			strbuf_addf(out, " and %zu more (--format json lists them all)", all.n - 50);
		strbuf_addch(out, '\n');
	}
	if (nfix) {
		strbuf_addstr(out, "Rule to fix:");
		for (size_t i = 0; i < nfix; i++)
			strbuf_addf(out, "%s%ld (blocks %zu callback%s%s)", i ? ", " : " ", fix[i].id, fix[i].callbacks,
				    fix[i].callbacks == 1 ? "" : "s",
				    fix[i].score ? "; an anomaly score: fix the rules that scored, listed below" : "");
		strbuf_addch(out, '\n');
	}
	if (lr->audit)
		strbuf_addf(out, "Today's rules: %zu of %zu replayed callback%s still blocked\n", still, replayed,
			    replayed == 1 ? "" : "s");
	if (lr->nun)
		strbuf_addf(out, "Unmatched: %zu blocked payment endpoint%s no catalogue callback matches\n",
			    lr->nun, lr->nun == 1 ? "" : "s");
	fmt_time(lr->first, 0, a, sizeof(a));
	fmt_time(lr->last, 0, b, sizeof(b));
	strbuf_addf(out, "Read: %zu file%s, %zu record%s", lr->st.files, lr->st.files == 1 ? "" : "s",
		    lr->records, lr->records == 1 ? "" : "s");
	if (lr->first)
		strbuf_addf(out, " (%s to %s)", a, b);
	strbuf_addf(out, ", %zu blocked", lr->blocked);
	if (lr->since || lr->until)
		strbuf_addf(out, ", %zu in --since/--until", lr->in_range);
	if (lr->duplicates)
		strbuf_addf(out, ", %zu error-log transaction%s also in an audit log (counted once)", lr->duplicates,
			    lr->duplicates == 1 ? "" : "s");
	strbuf_addch(out, '\n');
	if (lr->nskips) {
		strbuf_addf(out, "Skipped: %zu (records cut off by rotation or a crash, files that are no ModSecurity log):\n", lr->nskips);
		for (size_t i = 0; i < lr->nskips && i < LOGS_MAX_SKIPS; i++)
			strbuf_addf(out, "  %s:%ld: %s\n", lr->skips[i].file, lr->skips[i].line, lr->skips[i].why);
		if (lr->nskips > LOGS_MAX_SKIPS)
			strbuf_addf(out, "  ... and %zu more\n", lr->nskips - LOGS_MAX_SKIPS);
	}
	free(fix);
	strset_free(&all);

	if (ncb)
		strbuf_addstr(out, "\nBlocked callbacks\n");
	for (size_t i = 0; i < lr->cat->n; i++) {
		const struct cb_tally *ct = &lr->cbs[i];
		if (!ct->t.blocked)
			continue;
		strbuf_addf(out, "  %s: %s [%s, sent by %s]\n", ct->cb->name, ct->cb->title, ct->cb->plugin,
			    ct->cb->sender);
		text_tally(out, &ct->t);
		if (ct->t.without_detail)
			strbuf_addf(out, "    (%zu from error logs: matched by path%s)\n", ct->t.without_detail,
				    " alone where the method and User-Agent are not logged");
		if (lr->audit) {
			if (!ct->replayed)
				strbuf_addstr(out, "    today: not replayed (no request recorded in full: parts B and C, or a JSON record)\n");
			else if (ct->still_blocked)
				strbuf_addf(out, "    today: STILL BLOCKED by %ld (%d logged request%s replayed)\n",
					    ct->still_by, ct->replayed, ct->replayed == 1 ? "" : "s");
			else if (lr->audit->engine_v2)
				strbuf_addf(out, "    today: passes in the replay (%d logged request%s; libmodsecurity emulating\n"
					    "      ModSecurity 2: where the two differ, e.g. JSON field names, the server may still\n"
					    "      block it: see README, Parity with real servers)\n", ct->replayed,
					    ct->replayed == 1 ? "" : "s");
			else
				strbuf_addf(out, "    today: passes (%d logged request%s replayed)\n", ct->replayed,
					    ct->replayed == 1 ? "" : "s");
		}
		if (lr->show_requests)
			for (size_t k = 0; k < ct->nreplay; k++) {
				struct strbuf w = STRBUF_INIT;
				request_to_wire(&ct->replay[k].req, &w);
				strbuf_addf(out, "    request %zu (%s form):\n", k + 1, url_form_name(ct->replay[k].form));
				for (char *p = w.buf; *p;) {
					char *nl = strchr(p, '\n');
					size_t l = nl ? (size_t)(nl - p) : strlen(p);
					strbuf_addstr(out, "      ");
					strbuf_add(out, p, l);
					strbuf_addch(out, '\n');
					p += l + (nl != NULL);
				}
				strbuf_release(&w);
			}
	}
	if (lr->nun) {
		strbuf_addstr(out, "\nBlocked payment requests no catalogue callback matches (a newer plugin, another provider?)\n");
		for (size_t i = 0; i < lr->nun; i++) {
			const struct unmatched *u = &lr->un[i];
			strbuf_addf(out, "  %s %s", *u->method ? u->method : "(method not logged)", u->path);
			if (*u->ua)
				strbuf_addf(out, "  User-Agent \"%s\"", u->ua);
			strbuf_addch(out, '\n');
			text_tally(out, &u->t);
		}
		if (lr->un_dropped)
			strbuf_addf(out, "  ... and %zu more requests in other groups\n", lr->un_dropped);
	}
	if (lr->audit && lr->audit->nexcl) {
		const struct audit *au = lr->audit;
		strbuf_addstr(out, "\nExclusions (verified on the logged requests, attack-probed; load them before the rules)\n");
		for (size_t i = 0; i < au->nexcl; i++) {
			const struct exclusion *x = &au->excl[i];
			strbuf_addf(out, "  rule %ld for %s: %s%s\n", x->rule_id, x->cb->name,
				    x->verified ? "verified" : "NOT verified",
				    x->leaks ? " (lets attack probes through beyond its scope)" : "");
			for (char *p = x->snippet; p && *p;) {
				char *nl = strchr(p, '\n');
				size_t l = nl ? (size_t)(nl - p) : strlen(p);
				strbuf_addstr(out, "    ");
				strbuf_add(out, p, l);
				strbuf_addch(out, '\n');
				p += l + (nl != NULL);
			}
		}
	} else if (!lr->audit && ncb) {
		strbuf_addstr(out, "\nGive the server's rules (-r, --server-config or --discover) to replay the logged\n"
			       "requests through today's rules and get verified exclusions.\n");
	}
}

static cJSON *json_time(long long t)
{
	char buf[40];
	if (!t)
		return cJSON_CreateNull();
	fmt_time(t, 1, buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

static cJSON *json_set(const struct strset *s)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < s->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
	return a;
}

static void json_tally(cJSON *o, const struct tally *t)
{
	cJSON *st = cJSON_CreateArray(), *ids = cJSON_CreateArray(), *rules = cJSON_CreateArray();
	cJSON_AddNumberToObject(o, "blocked", (double)t->blocked);
	cJSON_AddItemToObject(o, "first_seen", json_time(t->first));
	cJSON_AddItemToObject(o, "last_seen", json_time(t->last));
	for (size_t i = 0; i < t->nstatuses; i++)
		cJSON_AddItemToArray(st, cJSON_CreateNumber(t->statuses[i]));
	cJSON_AddItemToObject(o, "statuses", st);
	for (size_t r = 0; r < t->nrules; r++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)t->rules[r].id));
		cJSON_AddNumberToObject(x, "id", (double)t->rules[r].id);
		cJSON_AddStringToObject(x, "msg", t->rules[r].msg);
		cJSON_AddStringToObject(x, "role", t->rules[r].blocking ? "blocking" : "contributing");
		cJSON_AddNumberToObject(x, "blocking", (double)t->rules[r].blocking);
		cJSON_AddNumberToObject(x, "contributing", (double)t->rules[r].contributing);
		cJSON_AddItemToArray(rules, x);
	}
	cJSON_AddItemToObject(o, "rule_ids", ids);
	cJSON_AddItemToObject(o, "rules", rules);
	cJSON_AddItemToObject(o, "order_ids", json_set(&t->orders));
	cJSON_AddItemToObject(o, "source_ips", json_set(&t->ips));
	cJSON_AddNumberToObject(o, "from_error_logs", (double)t->without_detail);
}

void logs_report_json(const struct logs_report *lr, struct strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *cbs = cJSON_CreateArray(), *un = cJSON_CreateArray();
	cJSON *ex = cJSON_CreateArray(), *sum = cJSON_CreateObject(), *sk = cJSON_CreateArray();
	cJSON *fixes = cJSON_CreateArray(), *input = cJSON_CreateObject();
	struct strset all = { 0 };
	struct fix *fix;
	size_t nfix = rules_to_fix(lr, &fix), reqs = 0, still = 0;
	char *txt;

	cJSON_AddStringToObject(root, "tool", "modsec-callback-audit");
	cJSON_AddStringToObject(root, "version", lr->version ? lr->version : "");
	cJSON_AddStringToObject(root, "command", "logs");
	cJSON_AddNumberToObject(input, "files", (double)lr->st.files);
	cJSON_AddNumberToObject(input, "bytes", (double)lr->st.bytes);
	cJSON_AddNumberToObject(input, "records", (double)lr->records);
	cJSON_AddNumberToObject(input, "records_in_range", (double)lr->in_range);
	cJSON_AddNumberToObject(input, "blocked", (double)lr->blocked);
	cJSON_AddItemToObject(input, "first", json_time(lr->first));
	cJSON_AddItemToObject(input, "last", json_time(lr->last));
	cJSON_AddNumberToObject(input, "skipped", (double)lr->nskips);
	cJSON_AddNumberToObject(input, "duplicates", (double)lr->duplicates);
	for (size_t i = 0; i < lr->nskips && i < LOGS_MAX_SKIPS; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "file", lr->skips[i].file);
		cJSON_AddNumberToObject(s, "line", (double)lr->skips[i].line);
		cJSON_AddStringToObject(s, "why", lr->skips[i].why);
		cJSON_AddItemToArray(sk, s);
	}
	cJSON_AddItemToObject(input, "skipped_records", sk);
	cJSON_AddItemToObject(root, "input", input);
	for (size_t i = 0; i < lr->cat->n; i++) {
		const struct cb_tally *ct = &lr->cbs[i];
		cJSON *o;
		if (!ct->t.blocked)
			continue;
		reqs += ct->t.blocked;
		still += ct->still_blocked;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", ct->cb->name);
		cJSON_AddStringToObject(o, "title", ct->cb->title);
		cJSON_AddStringToObject(o, "provider", callback_provider(lr->cat, ct->cb)->name);
		cJSON_AddStringToObject(o, "plugin", ct->cb->plugin);
		json_tally(o, &ct->t);
		if (lr->audit) {
			cJSON_AddNumberToObject(o, "replayed", ct->replayed);
			if (ct->replayed) {
				cJSON_AddBoolToObject(o, "still_blocked", ct->still_blocked);
				if (ct->still_blocked)
					cJSON_AddNumberToObject(o, "still_blocked_by", (double)ct->still_by);
			} else {
				cJSON_AddNullToObject(o, "still_blocked");
			}
		}
		if (lr->show_requests) {
			cJSON *rq = cJSON_CreateArray();
			for (size_t k = 0; k < ct->nreplay; k++)
				cJSON_AddItemToArray(rq, report_json_request(&ct->replay[k].req));
			cJSON_AddItemToObject(o, "requests", rq);
		}
		cJSON_AddItemToArray(cbs, o);
	}
	cJSON_AddItemToObject(root, "callbacks", cbs);
	for (size_t i = 0; i < lr->nun; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "method", lr->un[i].method);
		cJSON_AddStringToObject(o, "path", lr->un[i].path);
		cJSON_AddStringToObject(o, "user_agent", lr->un[i].ua);
		json_tally(o, &lr->un[i].t);
		cJSON_AddItemToArray(un, o);
	}
	cJSON_AddItemToObject(root, "unmatched", un);
	for (size_t i = 0; lr->audit && i < lr->audit->nexcl; i++) {
		const struct exclusion *x = &lr->audit->excl[i];
		cJSON *o = cJSON_CreateObject(), *cl = cJSON_CreateArray();
		cJSON_AddNumberToObject(o, "rule_id", (double)x->rule_id);
		cJSON_AddItemToArray(cl, cJSON_CreateString(x->cb->name));
		for (size_t k = 0; k < x->nalso; k++)
			cJSON_AddItemToArray(cl, cJSON_CreateString(x->also[k]->name));
		cJSON_AddItemToObject(o, "callbacks", cl);
		cJSON_AddStringToObject(o, "scope", excl_scope_name(x->scope));
		cJSON_AddBoolToObject(o, "verified", x->verified);
		cJSON_AddNumberToObject(o, "leaks", x->leaks);
		cJSON_AddStringToObject(o, "reason", x->reason ? x->reason : "");
		cJSON_AddStringToObject(o, "snippet", x->snippet ? x->snippet : "");
		cJSON_AddItemToArray(ex, o);
	}
	cJSON_AddItemToObject(root, "exclusions", ex);
	cJSON_AddNumberToObject(sum, "callbacks_blocked", (double)logs_callbacks_blocked(lr));
	cJSON_AddNumberToObject(sum, "requests_blocked", (double)reqs);
	cJSON_AddNumberToObject(sum, "orders_affected", (double)orders_affected(lr, &all));
	cJSON_AddItemToObject(sum, "order_ids", json_set(&all));
	for (size_t i = 0; i < nfix; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)fix[i].id);
		cJSON_AddNumberToObject(o, "callbacks", (double)fix[i].callbacks);
		cJSON_AddBoolToObject(o, "anomaly_score", fix[i].score);
		cJSON_AddItemToArray(fixes, o);
	}
	cJSON_AddItemToObject(sum, "rules_to_fix", fixes);
	cJSON_AddNumberToObject(sum, "unmatched", (double)lr->nun);
	if (lr->audit)
		cJSON_AddNumberToObject(sum, "still_blocked", (double)still);
	else
		cJSON_AddNullToObject(sum, "still_blocked");
	cJSON_AddItemToObject(root, "summary", sum);
	txt = cJSON_Print(root);
	strbuf_addstr(out, txt);
	strbuf_addch(out, '\n');
	free(txt);
	cJSON_Delete(root);
	free(fix);
	strset_free(&all);
}
