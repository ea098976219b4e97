/* A ModSecurity rule file (-r), read by our loader: directives, chains,
 * Include/IncludeOptional (inside fuzz_dir(), given as --root), actions,
 * data files; the first byte picks ModSecurity 2 or 3. libmodsecurity's
 * own parser is not called (its bugs are not ours to find here). */
#include "fuzz.h"
#include "ruleset.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct strbuf err = STRBUF_INIT;
	struct ruleset rs;
	char *path;

	if (!ready) {
		fuzz_copy_tree("rules/demo", "rules/demo");
		ready = 1;
	}
	if (!size)
		return 0;
	path = fuzz_write("rules/main.conf", data + 1, size - 1);
	ruleset_init(&rs);
	rs.engine_v2 = data[0] & 1;
	rs.root = xstrdup(fuzz_dir());
	if (ruleset_add_file(&rs, path, &err) == 0) {
		size_t loaded, left;
		ruleset_coverage(&rs, &loaded, &left);
		for (size_t i = 0; i < rs.nrules; i++)
			(void)ruleset_rule_score(&rs, &rs.rules[i]);
	}
	ruleset_release(&rs);
	strbuf_release(&err);
	free(path);
	return 0;
}
