/*
 * datadir: where the files the tool ships live (the demo rule set, the
 * callback catalogue). Installed: $(pkgdatadir). Run from a build tree
 * before `make install`: the source tree. MCA_DATADIR overrides both.
 */
#ifndef MCA_DATADIR_H
#define MCA_DATADIR_H

/* "<datadir>/<rel>", malloc'd. */
char *datadir_path(const char *rel);

#endif
