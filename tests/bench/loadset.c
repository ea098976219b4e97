/*
 * loadset: one rule set loaded into libmodsecurity and held, nothing else:
 * the memory reference for the audit's peak ("under 2x one loaded set",
 * issue 12). `check` fits a set piece by piece and never holds it whole,
 * so its peak is no such reference. bench.sh gives it the text the audit
 * feeds the engine (--dump-rules) and reads its peak resident memory.
 *   loadset FILE
 */
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	ModSecurity *msc;
	RulesSet *rules;
	const char *error = NULL;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: loadset FILE\n");
		return 2;
	}
	msc = msc_init();
	rules = msc_create_rules_set();
	n = msc_rules_add_file(rules, argv[1], &error);
	if (n < 0 || error) {
		fprintf(stderr, "%s: %s\n", argv[1], error ? error : "not loaded");
		return 2;
	}
	printf("%d rules\n", n);
	msc_rules_cleanup(rules);
	msc_cleanup(msc);
	return 0;
}
