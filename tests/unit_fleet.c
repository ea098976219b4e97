/*
 * --all-hosts (fleet.c) on a generated Debian Apache server
 * (tests/fleet/gen-apache-vhosts.sh): 20 vhosts over two real rule sets
 * (Debian's CRS 3.3.4, the Comodo-style demo set), with engine Off,
 * SecRuleRemoveById and <LocationMatch> exclusions per vhost. Each host
 * must get its own verdicts, and hosts with the same rules one audit.
 */
#include "unit.h"
#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct audit_case *find_case(const struct audit *a, const char *cb, enum url_form form)
{
	for (size_t i = 0; i < a->ncases; i++)
		if (!strcmp(a->cases[i].cb->name, cb) && a->cases[i].form == form)
			return &a->cases[i];
	ck_abort_msg("no case %s [%s]", cb, url_form_name(form));
	return NULL;
}

/* The generators' vhost i: its own name, alias and document root, even
 * when it shares another host's audit. */
static void check_names(const struct host_result *h, size_t i)
{
	char want[64];
	snprintf(want, sizeof(want), "v%zu.example.com", i);
	ck_assert_str_eq(h->host, want);
	snprintf(want, sizeof(want), "www.v%zu.example.com", i);
	ck_assert_str_eq(h->aliases, want);
	snprintf(want, sizeof(want), "/var/www/v%zu", i);
	ck_assert_str_eq(h->docroot, want);
}

START_TEST(twenty_vhosts_two_rule_sets)
{
	static const char *const names[] = { "kco-push", "kco-validation" };
	char *cmd = xasprintf("sh %s/tests/fleet/gen-apache-vhosts.sh %s/srv 20", unit_srcdir(), unit_tmpdir());
	char *root = xasprintf("%s/srv", unit_tmpdir()), *cat = unit_data_path("callbacks");
	struct audit_opts o;
	struct fleet f;
	struct strbuf err = STRBUF_INIT;

	ck_assert_int_eq(system(cmd), 0);
	memset(&o, 0, sizeof(o));
	build_params_defaults(&o.params);
	o.server_config = "/etc/apache2/apache2.conf";
	o.root = root;
	o.engine_v2 = 1;
	o.catalogue = cat;
	o.names = names;
	o.nnames = 2;
	o.forms = URL_FORM_BIT(FORM_PATH) | URL_FORM_BIT(FORM_INDEX);
	o.id_base = 10000;
	o.max_rounds = 8;
	ck_assert_msg(fleet_run(&o, &f, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(f.nhosts, 20);
	/* 2 rule sets x (as is, Off, SecRuleRemoveById, <LocationMatch>): 8
	 * kinds, 8 audits (keys come from one read of the whole configuration,
	 * where each vhost is its own context: CRS's SecDefaultActions in
	 * every vhost read the same in each). */
	ck_assert_msg(f.naudits == 8, "%zu audits", f.naudits);
	ck_assert_int_eq(fleet_status(&f), 1);
	for (size_t i = 0; i < f.nhosts; i++) {
		const struct host_result *h = &f.hosts[i];
		const struct audit *a = h->a;
		int crs = i % 2 == 0, variant = (int)(i / 2 % 5);
		const char *cb = crs ? "kco-validation" : "kco-push";
		long id = crs ? 949110 : 211180;
		const struct audit_case *path, *index;

		check_names(h, i);
		ck_assert_msg(a != NULL, "%s: %s", h->host, h->error);
		ck_assert_int_eq(a->mode, variant == 1 ? MODE_OFF : MODE_ON);
		/* the first host of each kind is audited; a later one shares an
		 * audit only with a host of its own kind */
		if (i < 8)
			ck_assert_msg(h->shared_with == NULL, "%s shared with %s", h->host, h->shared_with);
		if (h->shared_with) {
			unsigned long j = strtoul(h->shared_with + 1, NULL, 10);
			ck_assert_msg(j % 2 == i % 2 && (j / 2 % 5 == i / 2 % 5 ||
				      (j / 2 % 5 % 4 == 0 && i / 2 % 5 % 4 == 0)),
				      "%s shares %s's audit, a host of another kind", h->host, h->shared_with);
		}
		path = find_case(a, cb, FORM_PATH);
		index = find_case(a, cb, FORM_INDEX);
		switch (variant) {
		case 0: case 4:	/* the rule set as it is */
			ck_assert_int_eq(path->outcome, OUT_BLOCKED);
			ck_assert_int_eq(path->v.disruptive_id, id);
			ck_assert_int_eq(index->outcome, OUT_BLOCKED);
			break;
		case 1:		/* SecRuleEngine Off: nothing blocks, what On would is still found */
			ck_assert_int_eq(path->outcome, OUT_PASSED);
			ck_assert_int_eq(path->v.disruptive_id, id);
			break;
		case 2:		/* SecRuleRemoveById in the vhost */
			ck_assert_int_eq(path->outcome, OUT_PASSED);
			ck_assert_int_eq(index->outcome, OUT_PASSED);
			break;
		case 3:		/* <LocationMatch "^/wc-api/">: the path form only */
			ck_assert_msg(path->outcome == OUT_PASSED, "%s %s [path]", h->host, cb);
			ck_assert_int_eq(index->outcome, OUT_BLOCKED);
			ck_assert_int_eq(index->v.disruptive_id, id);
			break;
		}
	}
	fleet_release(&f);
	strbuf_release(&err);
	free(cmd);
	free(root);
	free(cat);
}
END_TEST

/* The same generator's two-sets mode and the nginx one: N hosts over
 * exactly two rule sets cost exactly two audits; every host keeps its own
 * name, aliases and document root, and shares the audit of the first host
 * of its set. */
static void two_sets(const char *gen, const char *config, int v2)
{
	static const char *const names[] = { "kco-push", "kco-validation" };
	char *cmd = xasprintf("sh %s/tests/fleet/%s %s/%s 40 two-sets", unit_srcdir(), gen, unit_tmpdir(), gen);
	char *root = xasprintf("%s/%s", unit_tmpdir(), gen), *cat = unit_data_path("callbacks");
	struct audit_opts o;
	struct fleet f;
	struct strbuf err = STRBUF_INIT;

	ck_assert_int_eq(system(cmd), 0);
	audit_opts_init(&o);
	o.server_config = config;
	o.root = root;
	o.engine_v2 = v2;
	o.catalogue = cat;
	o.names = names;
	o.nnames = 2;
	o.forms = URL_FORM_BIT(FORM_PATH);
	o.attack_probes = 0;
	ck_assert_msg(fleet_run(&o, &f, &err) == 0, "%s", err.buf);
	ck_assert_uint_eq(f.nhosts, 40);
	ck_assert_msg(f.naudits == 2, "%s: %zu audits for two rule sets", gen, f.naudits);
	for (size_t i = 0; i < f.nhosts; i++) {
		const struct host_result *h = &f.hosts[i];
		check_names(h, i);
		ck_assert_ptr_eq(h->a, f.audits[i % 2]);
		if (i < 2)
			ck_assert_ptr_null(h->shared_with);
		else
			ck_assert_str_eq(h->shared_with, i % 2 ? "v1.example.com" : "v0.example.com");
		/* CRS blocks the classic validation, the vendor set the push */
		ck_assert_int_eq(find_case(h->a, i % 2 ? "kco-push" : "kco-validation", FORM_PATH)->v.disruptive_id,
				 i % 2 ? 211180 : 949110);
	}
	fleet_release(&f);
	strbuf_release(&err);
	free(cmd);
	free(root);
	free(cat);
}

START_TEST(apache_two_sets_two_audits)
{
	two_sets("gen-apache-vhosts.sh", "/etc/apache2/apache2.conf", 1);
}
END_TEST

START_TEST(nginx_two_sets_two_audits)
{
	two_sets("gen-nginx-vhosts.sh", "/etc/nginx/nginx.conf", 0);
}
END_TEST

Suite *fleet_suite(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("all-hosts");
	tcase_add_unchecked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, twenty_vhosts_two_rule_sets);
	tcase_add_test(tc, apache_two_sets_two_audits);
	tcase_add_test(tc, nginx_two_sets_two_audits);
	suite_add_tcase(s, tc);
	return s;
}
