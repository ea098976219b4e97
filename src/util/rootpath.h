/*
 * rootpath: a server's path read inside a copy of its files (--root DIR),
 * resolved as the server inside that image would resolve it.
 *
 * Debian trees are full of absolute symlinks (mods-enabled/x.conf ->
 * /etc/apache2/mods-available/x.conf); opening DIR/etc/... through them
 * would read the host's files instead. Here every symlink met, absolute or
 * relative, is followed inside DIR, and ".." stops at DIR, as chroot(2)
 * would make it.
 *
 * One exception: a link DIR/X -> /X (its own path) would be a loop inside
 * the image, so it is read as meaning the host's /X (the Debian fixtures
 * link usr/share/modsecurity-crs so to the installed CRS).
 */
#ifndef MCA_ROOTPATH_H
#define MCA_ROOTPATH_H

/* `path` (absolute, as the server names it) resolved inside `root`;
 * returns root + the resolved path, malloc'd. Components from the first
 * one holding glob characters (* ? [) on are kept as written: glob(3)
 * expands them, and each of its results is to be resolved again. A
 * component that does not exist ends the resolution (the rest is kept),
 * so "no such file" errors still name the path. */
char *root_resolve(const char *root, const char *path);

/* `path` as root_resolve() would give it when it lies under `root`
 * (root + "/..."); otherwise a copy. NULL root: a copy. */
char *root_confine(const char *root, const char *path);

#endif
