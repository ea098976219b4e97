#include "datadir.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <sys/stat.h>

char *datadir_path(const char *rel)
{
	const char *env = getenv("MCA_DATADIR");
	struct stat st;
	char *p;
	if (env && *env)
		return xasprintf("%s/%s", env, rel);
	p = xasprintf("%s/%s", PKGDATADIR, rel);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	return xasprintf("%s/%s", SRCDATADIR, rel);
}
