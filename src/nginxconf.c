#include "nginxconf.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "util/fileio.h"
#include "util/rootpath.h"

#include <ctype.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Limits on what one configuration may make us read (documented in the
 * README's "Limits"): each exceeded limit is an error naming file:line. */
#define MAX_LEVEL 16		/* nested blocks */
#define MAX_INCLUDE_DEPTH 32	/* nested includes */
#define MAX_FILES 4096		/* files read in all */

/* One nginx statement: words up to ';' or '{', with where it starts. */
struct stmt {
	char **w;
	size_t n, alloc;
	int block;		/* ended with '{' */
	const char *file;
	int line;
};

struct ctx {
	struct ruleset *rs;
	const char *host;
	const char *confdir;	/* the server's directory of nginx.conf */
	struct strbuf *err;
	int level;		/* 0 main, 1 http, 2 server, 3+ location; < MAX_LEVEL */
	int depth;		/* include depth, <= MAX_INCLUDE_DEPTH */
	int nfiles;		/* files read, <= MAX_FILES (a file including
				 * itself twice doubles at each level) */
	/* the server being read: does it serve host? which units are its own? */
	int in_server, server_default;
	long server_hits;	/* how well the server's names name the host (host_match) */
	long chosen_hits;	/* the chosen server's */
	size_t server_first_unit;
	int chosen;		/* a server has been chosen */
	size_t chosen_first, chosen_last;	/* its units [first, last) */
	int chosen_on, first_on;	/* `modsecurity on` in effect for that server */
	size_t first_server_first, first_server_last;
	int have_first_server;
	int server_n;		/* server {} blocks met so far */
	int skipping;		/* in a server {} other than rs->vhost_only's: its
				 * rules are not read (--all-hosts, one host at a time) */
	int modsec[MAX_LEVEL];	/* `modsecurity` per level: -1 unset, 0 off, 1 on */
	char *scope[MAX_LEVEL];	/* location regex per level */
	size_t loc[MAX_LEVEL];	/* the location {} per level: index + 1 into rs->nlocs */
	int files;		/* interned file names live here */
	char **names;
	size_t nnames;
	struct nginx_server *list;	/* nginxconf_servers: every server {} */
	size_t nlist;
	int listing;
};

static const char *keep(struct ctx *c, const char *s)
{
	c->names = xrealloc(c->names, (c->nnames + 1) * sizeof(char *));
	c->names[c->nnames] = xstrdup(s);
	return c->names[c->nnames++];
}

static int parse_file(struct ctx *c, const char *path, const struct stmt *from);

static void stmt_free(struct stmt *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->w[i]);
	free(s->w);
	memset(s, 0, sizeof(*s));
}

/* How well server_name `name` names `host`, in nginx's order of
 * precedence: an exact name, then the longest wildcard starting with *
 * (or .example.com), then the longest ending with *, then the first
 * regex (~...). 0: it does not. */
static long host_match(const char *name, const char *host)
{
	size_t hl = strlen(host), nl = strlen(name);
	if (!strcasecmp(name, host))
		return 4000000;
	if (name[0] == '*' && name[1] == '.')
		return hl > nl - 1 && !strcasecmp(host + hl - (nl - 1), name + 1) ? 3000000 + (long)nl : 0;
	if (name[0] == '.')	/* .example.com: the name and its subdomains */
		return !strcasecmp(host, name + 1) || (hl > nl && !strcasecmp(host + hl - nl, name))
			? 3000000 + (long)nl : 0;
	if (nl > 2 && name[nl - 1] == '*' && name[nl - 2] == '.')	/* www.example.* */
		return hl > nl - 1 && !strncasecmp(host, name, nl - 1) ? 2000000 + (long)nl : 0;
	if (name[0] == '~') {
		int code, r;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)(name + 1), PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
					       &code, &off, NULL);
		pcre2_match_data *md;
		if (!re)
			return 0;
		md = pcre2_match_data_create_from_pattern(re, NULL);
		r = pcre2_match(re, (PCRE2_SPTR)host, hl, 0, 0, md, NULL);
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		return r >= 0 ? 1 : 0;
	}
	return 0;
}

static char *location_regex(const struct stmt *s)
{
	struct strbuf rx = STRBUF_INIT;
	const char *mod = s->n >= 3 ? s->w[1] : "";
	const char *arg = s->n >= 3 ? s->w[2] : s->n >= 2 ? s->w[1] : "/";
	if (!strcmp(mod, "~")) {
		strbuf_addstr(&rx, arg);
	} else if (!strcmp(mod, "~*")) {
		strbuf_addf(&rx, "(?i)%s", arg);
	} else {
		strbuf_addch(&rx, '^');
		for (const char *p = arg; *p; p++) {
			if (strchr("\\.^$|()[]{}*+?", *p))
				strbuf_addch(&rx, '\\');
			strbuf_addch(&rx, *p);
		}
		if (!strcmp(mod, "="))
			strbuf_addch(&rx, '$');
	}
	return strbuf_detach(&rx, NULL);
}

/* The scope of the current level: the innermost location's regex. */
static const char *current_scope(const struct ctx *c)
{
	for (int l = c->level; l >= 3; l--)
		if (c->scope[l])
			return c->scope[l];
	return NULL;
}

static void mark_unit(struct ctx *c, size_t u, const char *at_file, int at_line)
{
	const char *scope = current_scope(c);
	(void)at_file;
	(void)at_line;
	if (scope) {
		c->rs->units[u].scope = xstrdup(scope);
		c->rs->units[u].scope_kind = SCOPE_NGINX;
		for (int l = c->level; l >= 3; l--)
			if (c->loc[l]) {
				c->rs->units[u].nloc = c->loc[l];
				break;
			}
	}
}

/* Record a location {} for nginx's choice among them (nginx_location_applies). */
static void add_location(struct ctx *c, const struct stmt *s)
{
	struct ruleset *rs = c->rs;
	struct nginx_location *l;
	const char *mod = s->n >= 3 ? s->w[1] : "";
	const char *arg = s->n >= 3 ? s->w[2] : s->n >= 2 ? s->w[1] : "/";
	ARRAY_PUSH(rs->nlocs, rs->nnlocs, rs->anlocs);
	l = &rs->nlocs[rs->nnlocs++];
	memset(l, 0, sizeof(*l));
	l->server = c->server_n;
	for (int lv = c->level - 1; lv >= 3 && !l->parent; lv--)
		l->parent = c->loc[lv];
	if (!strcmp(mod, "~") || !strcmp(mod, "~*")) {
		l->kind = NLOC_REGEX;
		l->arg = mod[1] ? xasprintf("(?i)%s", arg) : xstrdup(arg);
	} else {
		l->kind = !strcmp(mod, "=") ? NLOC_EXACT : !strcmp(mod, "^~") ? NLOC_STOP : NLOC_PREFIX;
		l->arg = xstrdup(arg);
	}
	c->loc[c->level] = rs->nnlocs;
}

static int loc_regex_matches(struct nginx_location *l, const char *path)
{
	pcre2_match_data *md;
	int r;
	if (!l->re) {
		int code;
		PCRE2_SIZE off;
		l->re = pcre2_compile((PCRE2_SPTR)l->arg, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
		if (!l->re)
			return 0;
	}
	md = pcre2_match_data_create_from_pattern(l->re, NULL);
	r = pcre2_match(l->re, (PCRE2_SPTR)path, strlen(path), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return r >= 0;
}

/* nginx's choice among the locations of `server` directly inside
 * `parent` (index + 1; 0: the server's own) for `path`: an exact match;
 * else the longest prefix, final when it is ^~; else the first regex
 * that matches, in order; else that longest prefix. Index + 1, 0 none.
 * A prefix's nested locations are then chosen among the same way (what
 * nginx's location tree does for the common cases). */
static size_t choose_location(const struct ruleset *rs, int server, size_t parent, const char *path)
{
	size_t best = 0, bestlen = 0;
	for (size_t i = 0; i < rs->nnlocs; i++) {
		const struct nginx_location *l = &rs->nlocs[i];
		size_t n;
		if (l->server != server || l->parent != parent || l->kind == NLOC_REGEX)
			continue;
		n = strlen(l->arg);
		if (l->kind == NLOC_EXACT) {
			if (!strcmp(l->arg, path))
				return i + 1;
			continue;
		}
		if (!strncmp(l->arg, path, n) && (!best || n > bestlen)) {
			best = i + 1;
			bestlen = n;
		}
	}
	if (best && rs->nlocs[best - 1].kind == NLOC_STOP)
		return best;
	for (size_t i = 0; i < rs->nnlocs; i++) {
		struct nginx_location *l = (struct nginx_location *)&rs->nlocs[i];	/* caches re */
		if (l->server == server && l->parent == parent && l->kind == NLOC_REGEX &&
		    loc_regex_matches(l, path))
			return i + 1;
	}
	return best;
}

int nginx_location_applies(const struct ruleset *rs, size_t loc, const char *path)
{
	int server;
	size_t chosen = 0, next;
	if (!loc || loc > rs->nnlocs)
		return 0;
	server = rs->nlocs[loc - 1].server;
	while ((next = choose_location(rs, server, chosen, path))) {
		chosen = next;
		if (chosen == loc)
			return 1;
	}
	/* the chain nginx took: the unit applies when its location is on it */
	for (size_t l = chosen; l; l = rs->nlocs[l - 1].parent)
		if (l == loc)
			return 1;
	return 0;
}

static int add_rules(struct ctx *c, const struct stmt *s)
{
	struct ruleset *rs = c->rs;
	size_t before = rs->nunits;
	int r;
	if (s->n < 2) {
		strbuf_addf(c->err, "%s:%d: %s needs an argument", s->file, s->line, s->w[0]);
		return -1;
	}
	if (c->skipping)
		return 0;
	if (!strcmp(s->w[0], "modsecurity_rules_file")) {
		char *p = s->w[1][0] == '/' ? ruleset_rooted(rs, s->w[1])
					     : xasprintf("%s/%s", c->confdir, s->w[1]);
		r = ruleset_add_file(rs, p, c->err);
		free(p);
	} else {
		char *name = xasprintf("modsecurity_rules at %s:%d", s->file, s->line);
		r = ruleset_add_text(rs, name, s->w[1], c->err);
		free(name);
	}
	if (r < 0)
		return -1;
	for (size_t u = before; u < rs->nunits; u++) {
		mark_unit(c, u, s->file, s->line);
		rs->units[u].http_level = c->level <= 1;
	}
	return 0;
}

/* The connector merges a server's rules after http's, wherever http's
 * directive stands (CRS's docker image includes conf.d/modsecurity.conf
 * after conf.d/default.conf): http-level units move before every server's,
 * each group keeping its order; rules and the servers' unit ranges follow. */
static void http_units_first(struct ruleset *rs, size_t from, struct nginx_server *list, size_t nlist)
{
	size_t n = rs->nunits - from, k = 0, *to;
	struct load_unit *copy;
	int moved = 0;
	for (size_t u = from; u < rs->nunits; u++)
		if (rs->units[u].http_level && u > from && !rs->units[u - 1].http_level)
			moved = 1;
	if (!moved)
		return;
	to = xmalloc(rs->nunits * sizeof(*to));
	copy = xmalloc(n * sizeof(*copy));
	for (int pass = 0; pass < 2; pass++)
		for (size_t u = from; u < rs->nunits; u++)
			if (rs->units[u].http_level == !pass) {
				to[u] = from + k;
				copy[k++] = rs->units[u];
			}
	memcpy(rs->units + from, copy, n * sizeof(*copy));
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].unit >= from && rs->rules[i].unit < rs->nunits)
			rs->rules[i].unit = to[rs->rules[i].unit];
	for (size_t i = 0; i < nlist; i++) {
		/* a server's units stay contiguous: only http's, never inside
		 * a server {}, moved past them */
		size_t first = list[i].first_unit, last = list[i].last_unit;
		if (first < last) {	/* an empty range stays empty wherever it is */
			list[i].first_unit = to[first];
			list[i].last_unit = to[last - 1] + 1;
		}
	}
	free(copy);
	free(to);
}

/* `modsecurity off` in a location: the engine off for the paths it covers. */
static void location_switch(struct ctx *c, const struct stmt *s, int on)
{
	if (c->skipping)
		return;
	char *text = xasprintf("SecAction \"id:%d,phase:1,pass,nolog,t:none,ctl:ruleEngine=%s\"\n",
			       99900 + c->rs->scoped_ids++ % 90, on ? "On" : "Off");
	char *name = xasprintf("modsecurity %s at %s:%d", on ? "on" : "off", s->file, s->line);
	size_t before = c->rs->nunits;
	if (ruleset_add_text(c->rs, name, text, c->err) == 0)
		for (size_t u = before; u < c->rs->nunits; u++)
			mark_unit(c, u, s->file, s->line);
	free(text);
	free(name);
}

static int statement(struct ctx *c, struct stmt *s)
{
	const char *d = s->w[0];
	if (!strcmp(d, "include") && s->n >= 2) {
		char *rel = s->w[1][0] == '/' ? NULL : xasprintf("%s/%s", c->confdir, s->w[1]);
		char *pat = rel ? root_confine(c->rs->root, rel) : ruleset_rooted(c->rs, s->w[1]);
		glob_t g;
		int r = glob(pat, 0, NULL, &g), ret = 0;
		if (r == 0) {
			for (size_t i = 0; i < g.gl_pathc && !ret; i++)
				ret = parse_file(c, g.gl_pathv[i], s);
		} else if (!strpbrk(s->w[1], "*?[")) {
			strbuf_addf(c->err, "%s:%d: include %s: no such file", s->file, s->line, s->w[1]);
			ret = -1;
		}
		globfree(&g);
		free(pat);
		free(rel);
		return ret;
	}
	if (!strcmp(d, "server_name") && c->level == 2) {
		for (size_t i = 1; i < s->n; i++) {
			long m = host_match(s->w[i], c->host);
			if (m > c->server_hits)
				c->server_hits = m;
		}
		if (c->listing && c->nlist) {
			struct nginx_server *sv = &c->list[c->nlist - 1];
			struct strbuf sb = STRBUF_INIT;
			strbuf_addstr(&sb, sv->names);
			for (size_t i = 1; i < s->n; i++)
				strbuf_addf(&sb, "%s%s", sb.len ? " " : "", s->w[i]);
			free(sv->names);
			sv->names = strbuf_detach(&sb, NULL);
		}
		return 0;
	}
	if (!strcmp(d, "root") && c->level == 2 && s->n >= 2 && c->listing && c->nlist) {
		free(c->list[c->nlist - 1].root);
		c->list[c->nlist - 1].root = xstrdup(s->w[1]);
		return 0;
	}
	if (!strcmp(d, "listen") && c->level == 2) {
		for (size_t i = 1; i < s->n; i++)
			if (!strcmp(s->w[i], "default_server") || !strcmp(s->w[i], "default")) {
				c->server_default = 1;
				if (c->listing && c->nlist)
					c->list[c->nlist - 1].is_default = 1;
			}
		return 0;
	}
	if (!strcmp(d, "modsecurity") && s->n >= 2) {
		int on = !strcasecmp(s->w[1], "on");
		c->modsec[c->level] = on;
		if (c->level >= 3)
			location_switch(c, s, on);
		return 0;
	}
	if (!strcmp(d, "modsecurity_rules_file") || !strcmp(d, "modsecurity_rules"))
		return add_rules(c, s);
	return 0;
}

static int open_block(struct ctx *c, struct stmt *s)
{
	if (c->level + 1 >= MAX_LEVEL) {
		strbuf_addf(c->err, "%s:%d: blocks nested deeper than %d levels", s->file, s->line,
			    MAX_LEVEL - 1);
		return -1;
	}
	c->level++;
	c->modsec[c->level] = -1;
	free(c->scope[c->level]);
	c->scope[c->level] = NULL;
	if (!strcmp(s->w[0], "server") && c->level == 2) {
		c->in_server = 1;
		c->server_n++;
		c->skipping = c->rs->vhost_only && c->server_n != c->rs->vhost_only;
		c->server_hits = c->server_default = 0;
		c->server_first_unit = c->rs->nunits;
		if (c->listing) {
			struct nginx_server *sv;
			c->list = xrealloc(c->list, (c->nlist + 1) * sizeof(*c->list));
			sv = &c->list[c->nlist++];
			memset(sv, 0, sizeof(*sv));
			sv->names = xstrdup("");
			sv->where = xasprintf("server {} at %s:%d", s->file, s->line);
		}
	} else if (!strcmp(s->w[0], "location") && c->level >= 3) {
		c->scope[c->level] = location_regex(s);
		add_location(c, s);
	}
	return 0;
}

static void close_block(struct ctx *c)
{
	if (c->level == 2 && c->in_server) {
		size_t first = c->server_first_unit, last = c->rs->nunits;
		/* the server's own `modsecurity`, or -1: then the http level's,
		 * known only once http {} is read (nginx merges a directive
		 * written after the server blocks, e.g. conf.d/modsecurity.conf
		 * included after conf.d/default.conf, into all of them) */
		int on = c->modsec[2];
		if (!c->have_first_server) {
			c->first_on = on;
			c->have_first_server = 1;
			c->first_server_first = first;
			c->first_server_last = last;
		}
		/* the first server naming the host wins; else default_server
		 * (reading one server only: that one) */
		if (c->rs->vhost_only) {
			if (c->server_n == c->rs->vhost_only) {
				c->chosen = 1;
				c->chosen_first = first;
				c->chosen_last = last;
				c->chosen_on = on;
			}
		} else if (c->server_hits && (!c->chosen || c->chosen == 2 || c->server_hits > c->chosen_hits)) {
			/* a better name later wins (an exact name over an earlier
			 * wildcard); among equals, the first */
			c->chosen = 1;
			c->chosen_hits = c->server_hits;
			c->chosen_first = first;
			c->chosen_last = last;
			c->chosen_on = on;
		} else if (c->server_default && !c->chosen) {
			c->chosen = 2;
			c->chosen_first = first;
			c->chosen_last = last;
			c->chosen_on = on;
		}
		if (c->listing && c->nlist) {
			c->list[c->nlist - 1].first_unit = first;
			c->list[c->nlist - 1].last_unit = last;
			c->list[c->nlist - 1].on = on;
		}
		/* units of every server are marked now; unmarked later */
		for (size_t u = first; u < last; u++)
			c->rs->units[u].inactive = 2;
		c->in_server = 0;
		c->skipping = 0;
	}
	free(c->scope[c->level]);
	c->scope[c->level] = NULL;
	c->loc[c->level] = 0;
	c->level--;
}

/* Split nginx syntax into statements. `from` is the include statement
 * that names `path` (NULL for nginx.conf itself): errors about reading the
 * file are reported there. */
static int parse_file(struct ctx *c, const char *given, const struct stmt *from)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT, word = STRBUF_INIT;
	struct stmt s = { 0 };
	const char *file, *p;
	int line = 1, ret = 0, in_word = 0;
	/* --root: symlinks (absolute ones too) followed inside the root */
	char *path = root_confine(c->rs->root, given);

	if (from)
		strbuf_addf(&why, "%s:%d: include %s: ", from->file, from->line, from->w[1]);
	if (c->depth >= MAX_INCLUDE_DEPTH || c->nfiles >= MAX_FILES) {
		strbuf_addf(c->err, "%sincludes nested deeper than %d levels or more than %d files "
			    "(an include loop?)", why.buf, MAX_INCLUDE_DEPTH, MAX_FILES);
		strbuf_release(&why);
		free(path);
		return -1;
	}
	c->depth++;
	c->nfiles++;
	if (read_config_file(path, &text, &why) < 0) {
		strbuf_addstr(c->err, why.buf);
		strbuf_release(&why);
		c->depth--;
		free(path);
		return -1;
	}
	strbuf_release(&why);
	file = keep(c, path);
#define PUSH_WORD() do { \
		if (in_word) { \
			if (!s.n) { s.file = file; } \
			ARRAY_PUSH(s.w, s.n, s.alloc); \
			s.w[s.n++] = strbuf_detach(&word, NULL); \
			in_word = 0; \
		} \
	} while (0)
	for (p = text.buf; *p && !ret; p++) {
		if (*p == '\n')
			line++;
		if (*p == '#' && !in_word) {
			while (*p && *p != '\n')
				p++;
			if (*p == '\n')
				line++;
			if (!*p)
				break;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			if (!s.n && !in_word)
				s.line = line;
			in_word = 1;
			for (; *p && *p != q; p++) {
				if (*p == '\n')
					line++;
				if (*p == '\\' && (p[1] == q || p[1] == '\\'))
					p++;
				strbuf_addch(&word, *p);
			}
			if (!*p) {
				strbuf_addf(c->err, "%s:%d: unterminated quote", file, line);
				ret = -1;
				break;
			}
			PUSH_WORD();
			continue;
		}
		if (isspace((unsigned char)*p)) {
			PUSH_WORD();
			continue;
		}
		if (*p == ';' || *p == '{' || *p == '}') {
			PUSH_WORD();
			if (*p == '}') {
				if (s.n) {
					strbuf_addf(c->err, "%s:%d: '}' after an unfinished statement", file, line);
					ret = -1;
					break;
				}
				if (c->level == 0) {
					strbuf_addf(c->err, "%s:%d: unexpected '}'", file, line);
					ret = -1;
					break;
				}
				close_block(c);
				continue;
			}
			if (!s.n) {
				strbuf_addf(c->err, "%s:%d: empty statement", file, line);
				ret = -1;
				break;
			}
			s.block = *p == '{';
			if (s.block)
				ret = open_block(c, &s);
			else
				ret = statement(c, &s);
			stmt_free(&s);
			continue;
		}
		if (!s.n && !in_word)
			s.line = line;
		in_word = 1;
		strbuf_addch(&word, *p);
	}
#undef PUSH_WORD
	if (!ret && (s.n || in_word)) {
		strbuf_addf(c->err, "%s:%d: statement without ';' at the end of the file", file, line);
		ret = -1;
	}
	stmt_free(&s);
	strbuf_release(&word);
	strbuf_release(&text);
	c->depth--;
	free(path);
	return ret;
}

static int load(struct ruleset *rs, const char *path, const char *host, struct strbuf *err,
		struct nginx_server **list, size_t *nlist)
{
	struct ctx c;
	char *real = ruleset_rooted(rs, path), *dir = xstrdup(real), *slash = strrchr(dir, '/');
	int ret;
	size_t first_unit = rs->nunits;

	memset(&c, 0, sizeof(c));
	rs->nginx = 1;
	c.rs = rs;
	c.host = host;
	c.err = err;
	c.listing = list != NULL;
	if (slash)
		*slash = '\0';
	c.confdir = dir;
	for (int i = 0; i < MAX_LEVEL; i++)
		c.modsec[i] = -1;
	ret = parse_file(&c, real, NULL);
	if (!ret) {
		/* the innermost `modsecurity` wins; the connector's default is off */
		int http_on = c.modsec[1] == 1;
		if (c.first_on == -1)
			c.first_on = http_on;
		if (c.chosen_on == -1)
			c.chosen_on = http_on;
		for (size_t i = 0; list && i < c.nlist; i++)
			if (c.list[i].on == -1)
				c.list[i].on = http_on;
		/* no server named the host: nginx answers with the default one */
		if (!c.chosen && c.have_first_server) {
			c.chosen_first = c.first_server_first;
			c.chosen_last = c.first_server_last;
			c.chosen_on = c.first_on;
		}
		for (size_t u = first_unit; u < rs->nunits; u++) {
			int in_chosen = u >= c.chosen_first && u < c.chosen_last;
			if (rs->units[u].inactive == 2 && in_chosen)
				rs->units[u].inactive = 0;
			else if (rs->units[u].inactive)
				rs->units[u].inactive = 1;
		}
		http_units_first(rs, first_unit, c.list, c.nlist);
		/* SecRuleEngine belongs to the level whose rules say it: the
		 * server's own units over http's (the connector merges the
		 * parent's set into the child's, where a value already set
		 * stays), and a location's as its ctl:ruleEngine, first thing
		 * for the paths nginx serves from it (the connector merges the
		 * location's rules before the transaction starts). Within a
		 * level the first file that sets it wins, the last line in that
		 * file: libmodsecurity parses each modsecurity_rules_file on its
		 * own and merges it the same way (measured: DetectionOnly in the
		 * first file, On in the second, answers 200). Another server's
		 * is not this host's. */
		{
			struct origin none = { NULL, 0 };
			const struct load_unit *pick = NULL;
			free(rs->rule_engine);
			rs->rule_engine = NULL;
			rs->rule_engine_at = none;
			for (size_t u = 0; u < rs->nunits; u++) {
				struct load_unit *unit = &rs->units[u];
				int taken = 0;
				if (!unit->engine || unit->inactive)
					continue;
				if (unit->scope) {
					for (size_t k = 0; k < u && !taken; k++)
						taken = rs->units[k].scope && rs->units[k].engine && !rs->units[k].inactive &&
							rs->units[k].nloc == unit->nloc;
					if (!taken)
						strbuf_addf(&unit->pre, "SecAction \"id:%d,phase:1,pass,nolog,t:none,"
							    "ctl:ruleEngine=%s\"\n\n", 99900 + rs->scoped_ids++ % 90,
							    unit->engine);
					continue;
				}
				if (!pick || (pick->http_level && !unit->http_level))
					pick = unit;
			}
			if (pick) {
				rs->rule_engine = xstrdup(pick->engine);
				rs->rule_engine_at = pick->engine_at;
			}
		}
		/* ModSecurity does not run for this server at all */
		if (c.have_first_server && !c.chosen_on) {
			struct origin none = { NULL, 0 };
			free(rs->rule_engine);
			rs->rule_engine = xstrdup("Off");
			rs->rule_engine_at = none;
		}
		for (size_t i = 0; i < rs->nrules; i++)
			if (rs->units[rs->rules[i].unit].inactive && rs->rules[i].id > 0)
				rs->rules[i].id = 0;
	}
	for (size_t i = 0; i < c.nnames; i++)
		free(c.names[i]);
	free(c.names);
	for (int i = 0; i < MAX_LEVEL; i++)
		free(c.scope[i]);
	free(dir);
	free(real);
	if (list) {
		*list = c.list;
		*nlist = c.nlist;
	}
	return ret;
}

int nginxconf_load(struct ruleset *rs, const char *path, const char *host, struct strbuf *err)
{
	return load(rs, path, host, err, NULL, NULL);
}

int nginxconf_servers(struct ruleset *rs, const char *path, struct nginx_server **out, size_t *n,
		      struct strbuf *err)
{
	*out = NULL;
	*n = 0;
	if (load(rs, path, "", err, out, n) < 0) {
		nginx_servers_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

size_t nginx_server_for(const struct nginx_server *s, size_t n, const char *host)
{
	size_t def = 0, best = 0;
	int have_def = 0;
	long best_hit = 0;
	for (size_t i = 0; i < n; i++) {
		char *copy = xstrdup(s[i].names), *save = NULL;
		long hit = 0;
		for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			long m = host_match(w, host);
			if (m > hit)
				hit = m;
		}
		free(copy);
		if (hit > best_hit) {
			best_hit = hit;
			best = i;
		}
		if (s[i].is_default && !have_def) {
			def = i;
			have_def = 1;
		}
	}
	return best_hit ? best : def;
}

void nginx_servers_free(struct nginx_server *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].names);
		free(s[i].root);
		free(s[i].where);
	}
	free(s);
}
