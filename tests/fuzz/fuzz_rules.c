/* A ModSecurity rule file (-r), read by our loader: directives, chains,
 * Include/IncludeOptional (inside fuzz_dir(), given as --root), actions,
 * data files; the first byte picks ModSecurity 2 or 3. libmodsecurity's
 * own parser is not called (its bugs are not ours to find here). */
#include "fuzz.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct ruleset rs;
	char *path;

	if (!size)
		return 0;
	path = fuzz_ruleset_begin(&rs, "rules/demo", "rules/demo", "rules/main.conf", data + 1, size - 1);
	rs.engine_v2 = data[0] & 1;
	if (ruleset_add_file(&rs, path, &err) == 0) {
		size_t loaded, left;
		ruleset_coverage(&rs, &loaded, &left);
		for (size_t i = 0; i < rs.nrules; i++)
			(void)ruleset_rule_score(&rs, &rs.rules[i]);
	}
	fuzz_ruleset_end(&rs, &err, path);
	return 0;
}
