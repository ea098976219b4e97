/*
 * loader_stress: the loader against Debian's CRS (Apache-2.0, the real
 * files under /usr/share/modsecurity-crs), rewritten in every formatting
 * real rule sets have and with N constructs libmodsecurity 3.0.9 refuses
 * injected at random places:
 *
 *   - CRLF line ends (some files), tabs for indentation (some files),
 *     continuation backslashes followed by spaces (Apache strips them),
 *   - comments and blank lines between directives,
 *   - added chains whose last link has no action list,
 *   - non-UTF-8 bytes (Latin-1) in msg:,
 *   - nested Includes (main -> level1 -> a directory glob),
 *   - N refused constructs (an unsupported variable, a chain whose second
 *     link has one, a ctl: 3.0.9 lacks, v2 setvar syntax), each a rule
 *     whose first line we know.
 *
 * Asserts (test mode, the default): exactly those N rules are noted as
 * not audited, each at the file:line where it starts, nothing else is left
 * out; and the audit's verdicts (per callback and URL form: verdict and
 * blocking rule ids) equal those of the unmodified set.
 *
 * Bench mode (`loader_stress --bench [COPIES] [N]`, make bench): a set of
 * COPIES copies of CRS (ids renumbered; ~3,000 rules with 5) loaded clean
 * and with N refused constructs: prints both load times and their ratio.
 *
 * The seed is random unless MCA_STRESS_SEED is set; it is printed, so a
 * failure can be replayed. Exit 77 (skip) when Debian's CRS is missing.
 * Environment: MCA_BIN (test mode), MCA_DATADIR.
 */
#include "engine.h"
#include "ruleset.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#include <cJSON.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CRS_RULES "/usr/share/modsecurity-crs/rules"
#define CRS_SETUP "/etc/modsecurity/crs/crs-setup.conf"

static unsigned long long rng;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

struct injected {
	char *file;
	int line;
	long id;
};

struct gen {
	const char *dir;
	struct injected *inj;
	size_t ninj, ainj;
	size_t want;		/* constructs still to inject */
	size_t boundaries;	/* directive boundaries still to pass */
	long next_id;
	long id_shift;		/* bench copies: added to every id:NNN */
};

/* Does this directive (continuations joined) end with `chain`? */
static int has_chain(const char *d)
{
	for (const char *p = strstr(d, "chain"); p; p = strstr(p + 1, "chain")) {
		char b = p > d ? p[-1] : ' ', a = p[5];
		if ((b == ',' || b == '"' || b == ' ' || b == '\t') && (a == ',' || a == '"' || a == '\0' || a == '\'' || a == ' '))
			return 1;
	}
	return 0;
}

/* A refused construct at output line `line` of `file`. */
static void inject(struct gen *g, struct strbuf *out, const char *file, int *line, const char *eol)
{
	long id = g->next_id++;
	switch (rnd(4)) {
	case 0:
		strbuf_addf(out, "SecRule WEBSERVER_ERROR_LOG \"@rx stress\" \"id:%ld,phase:2,pass,nolog\"%s", id, eol);
		break;
	case 1:
		strbuf_addf(out, "SecRule REQUEST_URI \"@contains /stress-%ld\" \\%s\t\"id:%ld,phase:2,pass,nolog,chain\"%s"
			    "\tSecRule WEBSERVER_ERROR_LOG \"@rx x\" \"t:none\"%s", id, eol, id, eol, eol);
		break;
	case 2:
		strbuf_addf(out, "SecAction \"id:%ld,phase:1,pass,nolog,ctl:ruleRemoveByMsg=stress\"%s", id, eol);
		break;
	default:
		strbuf_addf(out, "SecAction \\ %s    \"id:%ld,phase:1,pass,nolog,setvar:'tx.stress_%ld=a, %%{tx.b}'\"%s",
			    eol, id, id, eol);
		break;
	}
	ARRAY_PUSH(g->inj, g->ninj, g->ainj);
	g->inj[g->ninj].file = xstrdup(file);
	g->inj[g->ninj].line = *line;
	g->inj[g->ninj].id = id;
	g->ninj++;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Rewrite one CRS file into `path`. */
static void rewrite(struct gen *g, const char *src, const char *path, int last)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT, why = STRBUF_INIT, dir = STRBUF_INIT;
	const char *eol = rnd(3) == 0 ? "\r\n" : "\n";
	int tabs = rnd(2), trailing = rnd(2), latin1 = rnd(2);
	int in_directive = 0, in_chain = 0;
	const char *p;

	if (read_file(src, &in, &why) < 0) {
		fprintf(stderr, "loader_stress: %s\n", why.buf);
		exit(1);
	}
	p = in.buf;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct strbuf l = STRBUF_INIT;
		int cont;
		strbuf_add(&l, p, n);
		p = nl ? nl + 1 : p + n;
		while (l.len && (l.buf[l.len - 1] == '\r' || l.buf[l.len - 1] == ' '))
			strbuf_setlen(&l, l.len - 1);
		cont = l.len && l.buf[l.len - 1] == '\\';
		/* a boundary between directives: maybe inject, comment, add */
		if (!in_directive && !in_chain && g->boundaries && !strncmp(l.buf, "Sec", 3)) {
			int before = count_lines(out.buf);
			if (g->want && rnd((unsigned)g->boundaries) < g->want) {
				int at = before + 1;
				inject(g, &out, path, &at, eol);
				g->want--;
			} else if (rnd(40) == 0) {
				strbuf_addf(&out, "%s# -- a comment between directives --%s%s", eol, eol, eol);
			} else if (rnd(60) == 0 && !g->id_shift) {
				/* a chain whose last link has no action list */
				strbuf_addf(&out, "SecRule REQUEST_URI \"@streq /never-%ld\" \"id:%ld,phase:2,pass,nolog,chain\"%s"
					    "SecRule TX:B \"!@eq 1\"%s", g->next_id, g->next_id + 500000, eol, eol);
				g->next_id++;
			}
			g->boundaries--;
		}
		{
			const char *s = l.buf;
			size_t lead = 0;
			while (s[lead] == ' ')
				lead++;
			if (tabs && lead) {
				strbuf_addch(&dir, '\t');
				s += lead;
			}
			if (g->id_shift) {
				/* renumber id:NNN for bench copies */
				const char *q;
				while ((q = strstr(s, "id:")) && q[3] >= '0' && q[3] <= '9' && (q == l.buf || q[-1] == ',' || q[-1] == '"' || q[-1] == ' ' || q[-1] == '\t')) {
					char *end;
					long id = strtol(q + 3, &end, 10);
					strbuf_add(&dir, s, (size_t)(q - s));
					strbuf_addf(&dir, "id:%ld", id + g->id_shift);
					s = end;
				}
			}
			if (latin1 && strstr(s, "msg:'")) {
				const char *m = strstr(s, "msg:'") + 5;
				strbuf_add(&dir, s, (size_t)(m - s));
				strbuf_addstr(&dir, "\xe9t\xe9 ");
				s = m;
			}
			strbuf_addstr(&dir, s);
			if (cont && trailing)
				strbuf_addstr(&dir, "  ");
		}
		strbuf_addstr(&out, dir.buf);
		strbuf_addstr(&out, eol);
		strbuf_reset(&dir);
		{
			/* track directives and chains (comments and blanks are neither) */
			static struct strbuf joined = STRBUF_INIT;
			const char *t = l.buf;
			while (*t == ' ' || *t == '\t')
				t++;
			if (in_directive || (*t && *t != '#')) {
				strbuf_addstr(&joined, l.buf);
				in_directive = cont;
				if (!cont) {
					in_chain = (!strncmp(t, "SecRule", 7) || in_chain) && has_chain(joined.buf);
					strbuf_reset(&joined);
				}
			}
		}
		strbuf_release(&l);
	}
	while (last && g->want) {
		int at = count_lines(out.buf) + 1;
		inject(g, &out, path, &at, eol);
		g->want--;
	}
	if (write_file_atomic(path, out.buf, out.len, &why) < 0) {
		fprintf(stderr, "loader_stress: %s\n", why.buf);
		exit(1);
	}
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&why);
	strbuf_release(&dir);
}

static size_t count_boundaries(const char *src)
{
	struct strbuf in = STRBUF_INIT, why = STRBUF_INIT;
	size_t n = 0;
	if (read_file(src, &in, &why) == 0)
		for (const char *p = in.buf; (p = strstr(p, "\nSec")); p++)
			n++;
	strbuf_release(&in);
	strbuf_release(&why);
	return n;
}

/* Write DIR/main.conf (-> level1.conf -> rules/ *.conf): `copies` copies of
 * CRS with `n` refused constructs. */
static void generate(struct gen *g, const char *dir, int copies, size_t n)
{
	glob_t gl;
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, why = STRBUF_INIT;
	size_t total = 0;

	memset(g, 0, sizeof(*g));
	g->dir = dir;
	g->next_id = 5000;
	if (glob(CRS_RULES "/*.conf", 0, NULL, &gl) != 0) {
		printf("SKIP: Debian's CRS is not installed (%s)\n", CRS_RULES);
		exit(77);
	}
	for (size_t i = 0; i < gl.gl_pathc; i++)
		total += count_boundaries(gl.gl_pathv[i]);
	total *= (size_t)copies;
	g->want = n;
	g->boundaries = total;
	strbuf_addf(&path, "%s/rules", dir);
	mkdir(path.buf, 0700);
	for (int c = 0; c < copies; c++) {
		g->id_shift = c ? (long)c * 1000000 : 0;
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			const char *base = strrchr(gl.gl_pathv[i], '/') + 1;
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/rules/%02d-%s", dir, c, base);
			rewrite(g, gl.gl_pathv[i], path.buf, c == copies - 1 && i == gl.gl_pathc - 1);
		}
	}
	globfree(&gl);
	/* the data files the rules name, beside them */
	if (glob(CRS_RULES "/*.data", 0, NULL, &gl) == 0) {
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/rules/%s", dir, strrchr(gl.gl_pathv[i], '/') + 1);
			if (symlink(gl.gl_pathv[i], path.buf) < 0)
				perror(path.buf);
		}
		globfree(&gl);
	}
	/* nested Includes, a blank line and a comment in each */
	strbuf_addf(&text, "# stress: level 1\r\n\r\nInclude %s/rules/*.conf\r\n", dir);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/level1.conf", dir);
	write_file_atomic(path.buf, text.buf, text.len, &why);
	strbuf_reset(&text);
	strbuf_addf(&text, "SecRuleEngine On\nSecRequestBodyAccess On\n# the CRS setup, then the rules\n"
		    "Include %s\n\n  Include %s/level1.conf  \n", CRS_SETUP, dir);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/main.conf", dir);
	write_file_atomic(path.buf, text.buf, text.len, &why);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&why);
}

/* CPU time of this process: on a shared machine wall time includes the
 * wait for a core. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read, fit and load `main` as the audit does; seconds, or -1. */
static double load_time(const char *main, struct ruleset *rs, struct strbuf *err)
{
	double t0 = now();
	struct engine *e;
	ruleset_init(rs);
	if (ruleset_add_file(rs, main, err) < 0 || ruleset_fit(rs, err) < 0)
		return -1;
	e = engine_new(err);
	if (!e || engine_load_ruleset(e, rs, err) < 0) {
		engine_free(e);
		return -1;
	}
	engine_free(e);
	return now() - t0;
}

/* The audit's verdicts as "name form verdict ids..." lines. */
static char *verdicts(const char *bin, const char *main, const char *out)
{
	struct strbuf cmd = STRBUF_INIT, json = STRBUF_INIT, why = STRBUF_INIT, res = STRBUF_INIT;
	cJSON *root, *cbs, *c;
	strbuf_addf(&cmd, "'%s' -r '%s' --no-attack-probes --max-rounds 1 --format json >'%s' 2>/dev/null", bin, main, out);
	if (system(cmd.buf) == -1 || read_file(out, &json, &why) < 0) {
		fprintf(stderr, "loader_stress: %s\n", cmd.buf);
		exit(1);
	}
	root = cJSON_Parse(json.buf);
	cbs = root ? cJSON_GetObjectItem(root, "callbacks") : NULL;
	if (!cbs) {
		fprintf(stderr, "loader_stress: no callbacks in the audit's JSON (%s)\n", cmd.buf);
		exit(1);
	}
	cJSON_ArrayForEach(c, cbs) {
		cJSON *b, *r;
		strbuf_addf(&res, "%s %s %s", cJSON_GetStringValue(cJSON_GetObjectItem(c, "name")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(c, "url_form")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(c, "verdict")));
		b = cJSON_GetObjectItem(c, "blocking_rules");
		cJSON_ArrayForEach(r, b)
			strbuf_addf(&res, " %d", cJSON_GetObjectItem(r, "id") ? cJSON_GetObjectItem(r, "id")->valueint : 0);
		strbuf_addch(&res, '\n');
	}
	cJSON_Delete(root);
	strbuf_release(&cmd);
	strbuf_release(&json);
	strbuf_release(&why);
	return strbuf_detach(&res, NULL);
}

static int bench(int copies, size_t n)
{
	char dir1[] = "/tmp/mca-stress-XXXXXX", dir2[] = "/tmp/mca-stress-XXXXXX";
	struct gen g1, g2;
	struct strbuf m1 = STRBUF_INIT, m2 = STRBUF_INIT, err = STRBUF_INIT, cmd = STRBUF_INIT;
	struct ruleset rs;
	double clean = 1e9, dirty = 1e9;
	size_t loaded = 0, left = 0;

	if (!mkdtemp(dir1) || !mkdtemp(dir2))
		return 1;
	generate(&g1, dir1, copies, 0);
	generate(&g2, dir2, copies, n);
	strbuf_addf(&m1, "%s/main.conf", dir1);
	strbuf_addf(&m2, "%s/main.conf", dir2);
	for (int run = 0; run < 5; run++) {
		double t;
		strbuf_reset(&err);
		t = load_time(m1.buf, &rs, &err);
		if (t < 0) {
			fprintf(stderr, "loader_stress: clean set: %s\n", err.buf);
			return 1;
		}
		ruleset_coverage(&rs, &loaded, &left);
		ruleset_release(&rs);
		if (t < clean)
			clean = t;
		t = load_time(m2.buf, &rs, &err);
		if (t < 0) {
			fprintf(stderr, "loader_stress: set with refused constructs: %s\n", err.buf);
			return 1;
		}
		ruleset_release(&rs);
		if (t < dirty)
			dirty = t;
	}
	printf("loader: %zu rules (%d copies of Debian's CRS), read + fit + one engine load, CPU time, best of 5:\n",
	       loaded, copies);
	printf("  clean set:                       %.3f s\n", clean);
	printf("  with %3zu refused constructs:     %.3f s  (%.2fx the clean load)\n", g2.ninj, dirty, dirty / clean);
	strbuf_addf(&cmd, "rm -rf '%s' '%s'", dir1, dir2);
	if (system(cmd.buf) != 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *bin = getenv("MCA_BIN"), *seed_s = getenv("MCA_STRESS_SEED");
	char dir[] = "/tmp/mca-stress-XXXXXX";
	struct gen g;
	struct ruleset rs;
	struct strbuf main_conf = STRBUF_INIT, err = STRBUF_INIT, out = STRBUF_INIT, cmd = STRBUF_INIT;
	char *want, *got;
	int passed = 0, failed = 0;
	size_t n = 25;

	rng = seed_s ? strtoull(seed_s, NULL, 10) : (unsigned long long)time(NULL) ^ (unsigned long long)getpid();
	printf("seed %llu (MCA_STRESS_SEED replays it)\n", rng);
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? atoi(argv[2]) : 5, argc > 3 ? (size_t)atoi(argv[3]) : 100);
	if (!bin) {
		fprintf(stderr, "loader_stress: set MCA_BIN\n");
		return 1;
	}
	if (access(CRS_SETUP, R_OK) != 0) {
		printf("SKIP: %s is missing (apt-get install modsecurity-crs)\n", CRS_SETUP);
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	generate(&g, dir, 1, n);
	strbuf_addf(&main_conf, "%s/main.conf", dir);

	/* 1. exactly the injected rules are left out, each at its file:line
	 * (besides what the unmodified set has left out: @rbl...) */
	struct ruleset orig_rs;
	ruleset_init(&orig_rs);
	strbuf_addf(&out, "%s/orig.conf", dir);
	strbuf_addf(&cmd, "SecRuleEngine On\nSecRequestBodyAccess On\nInclude %s\nInclude %s/*.conf\n", CRS_SETUP, CRS_RULES);
	if (write_file_atomic(out.buf, cmd.buf, cmd.len, &err) < 0 || ruleset_add_file(&orig_rs, out.buf, &err) < 0 ||
	    ruleset_fit(&orig_rs, &err) < 0) {
		printf("FAIL loading the unmodified set: %s\n", err.buf);
		return 1;
	}
	strbuf_reset(&out);
	strbuf_reset(&cmd);
	ruleset_init(&rs);
	if (ruleset_add_file(&rs, main_conf.buf, &err) < 0 || ruleset_fit(&rs, &err) < 0) {
		printf("FAIL loading the rewritten set: %s\n", err.buf);
		failed++;
	} else {
		size_t found = 0, other = 0;
		for (size_t i = 0; i < rs.nnotes; i++) {
			const struct note *nt = &rs.notes[i];
			int mine = 0;
			int known = 0;
			if (!strstr(nt->what, "not audited") && !strstr(nt->what, "skipped"))
				continue;
			for (size_t o = 0; o < orig_rs.nnotes; o++)
				known |= !strcmp(orig_rs.notes[o].what, nt->what);
			if (known)
				continue;
			for (size_t k = 0; k < g.ninj; k++) {
				char want_id[64];
				snprintf(want_id, sizeof(want_id), "rule %ld not audited", g.inj[k].id);
				if (strstr(nt->what, want_id)) {
					mine = 1;
					if (strcmp(nt->at.file, g.inj[k].file) || nt->at.line != g.inj[k].line) {
						printf("FAIL rule %ld noted at %s:%d, injected at %s:%d\n", g.inj[k].id,
						       nt->at.file, nt->at.line, g.inj[k].file, g.inj[k].line);
						failed++;
					} else {
						found++;
					}
				}
			}
			if (!mine) {
				printf("FAIL a note for something not injected: %s:%d: %s\n", nt->at.file, nt->at.line, nt->what);
				other++;
			}
		}
		if (found == g.ninj && !other && g.ninj == n) {
			printf("PASS all %zu injected constructs noted at their file:line, nothing else left out\n", n);
			passed++;
		} else {
			printf("FAIL %zu of %zu injected constructs (%zu asked) noted at their file:line, %zu other notes\n",
			       found, g.ninj, n, other);
			failed++;
		}
	}
	ruleset_release(&rs);

	/* 2. the verdicts equal the unmodified set's */
	ruleset_release(&orig_rs);
	strbuf_addf(&out, "%s/orig.json", dir);
	{
		struct strbuf orig = STRBUF_INIT;
		strbuf_addf(&orig, "%s/orig.conf", dir);
		want = verdicts(bin, orig.buf, out.buf);
		strbuf_release(&orig);
	}
	strbuf_reset(&out);
	strbuf_addf(&out, "%s/stress.json", dir);
	got = verdicts(bin, main_conf.buf, out.buf);
	if (!strcmp(want, got) && *want) {
		printf("PASS the verdicts equal the unmodified set's (%d callback requests)\n", count_lines(want));
		passed++;
	} else {
		printf("FAIL the verdicts differ:\n--- unmodified\n%s--- rewritten\n%s", want, got);
		failed++;
	}
	free(want);
	free(got);
	if (!failed) {
		strbuf_addf(&cmd, "rm -rf '%s'", dir);
		if (system(cmd.buf) != 0)
			failed++;
	} else {
		printf("kept %s for a look\n", dir);
	}
	for (size_t k = 0; k < g.ninj; k++)
		free(g.inj[k].file);
	free(g.inj);
	strbuf_release(&main_conf);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&cmd);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
