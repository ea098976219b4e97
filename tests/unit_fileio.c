/*
 * fileio: output written through what the path points at (issue 13: as
 * root, `-o /dev/null` turned /dev/null into a regular file), and inputs
 * read with a size limit, server files only when regular. The devices,
 * FIFOs and symlinks here are real ones; the owner test runs as root.
 */
#include "unit.h"
#include "util/fileio.h"
#include "util/rootpath.h"
#include "util/yamlload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void write_ok(const char *path, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	ck_assert_msg(write_file_atomic(path, text, strlen(text), &err) == 0, "%s: %s", path, err.buf);
	strbuf_release(&err);
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	ck_assert_msg(read_file(path, &sb, &err) == 0, "%s", err.buf);
	strbuf_release(&err);
	return strbuf_detach(&sb, NULL);
}

START_TEST(symlink_target_replaced_link_kept)
{
	char *target = unit_write("real/excl.conf", "old\n");
	char *link = xasprintf("%s/link.conf", unit_tmpdir());
	char *chain = xasprintf("%s/chain.conf", unit_tmpdir());
	struct stat st;
	char *got;

	ck_assert_int_eq(chmod(target, 0640), 0);
	ck_assert_int_eq(symlink("real/excl.conf", link), 0);		/* relative */
	ck_assert_int_eq(symlink(link, chain), 0);			/* absolute, two hops */
	write_ok(chain, "new\n");
	ck_assert_int_eq(lstat(chain, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(lstat(target, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	got = slurp(link);
	ck_assert_str_eq(got, "new\n");
	free(got);
	free(target);
	free(link);
	free(chain);
}
END_TEST

START_TEST(dangling_symlink_creates_target)
{
	char *link = xasprintf("%s/dangling", unit_tmpdir());
	char *target = xasprintf("%s/made.conf", unit_tmpdir());
	struct stat st;
	char *got;

	ck_assert_int_eq(symlink("made.conf", link), 0);
	write_ok(link, "x\n");
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	got = slurp(target);
	ck_assert_str_eq(got, "x\n");
	free(got);
	free(link);
	free(target);
}
END_TEST

START_TEST(owner_and_mode_kept)
{
	char *path = unit_write("owned.conf", "old\n");
	struct stat st;

	if (geteuid() != 0) {
		free(path);
		return;		/* only root can give a file away */
	}
	ck_assert_int_eq(chown(path, 4321, 4322), 0);
	ck_assert_int_eq(chmod(path, 0604), 0);
	write_ok(path, "new\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_uid, 4321);
	ck_assert_int_eq(st.st_gid, 4322);
	ck_assert_int_eq(st.st_mode & 07777, 0604);
	free(path);
}
END_TEST

START_TEST(device_stays_a_device)
{
	/* as root, a null device of our own (a regression must not take the
	 * host's /dev/null with it); otherwise the host's, which a user
	 * could not replace anyway */
	char *path = geteuid() == 0 ? xasprintf("%s/null", unit_tmpdir()) : xstrdup("/dev/null");
	struct stat before, after;

	if (geteuid() == 0)
		ck_assert_int_eq(mknod(path, S_IFCHR | 0666, makedev(1, 3)), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert(S_ISCHR(before.st_mode));
	write_ok(path, "report\n");
	ck_assert_int_eq(lstat(path, &after), 0);
	ck_assert(S_ISCHR(after.st_mode));
	ck_assert_int_eq(after.st_ino, before.st_ino);
	ck_assert_int_eq(after.st_rdev, before.st_rdev);
	free(path);
}
END_TEST

START_TEST(fifo_written_not_replaced)
{
	char *path = xasprintf("%s/fifo", unit_tmpdir());
	char buf[64] = { 0 };
	struct stat st;
	int rd;

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	rd = open(path, O_RDONLY | O_NONBLOCK);	/* a reader, as `cat fifo` would be */
	ck_assert_int_ge(rd, 0);
	write_ok(path, "through the fifo\n");
	ck_assert_int_eq(read(rd, buf, sizeof(buf) - 1), 17);
	ck_assert_str_eq(buf, "through the fifo\n");
	close(rd);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	free(path);
}
END_TEST

START_TEST(fd_path_writes_the_descriptor)
{
	int p[2];
	char buf[32] = { 0 };
	char *path;

	ck_assert_int_eq(pipe(p), 0);
	path = xasprintf("/dev/fd/%d", p[1]);
	write_ok(path, "piped\n");
	ck_assert_int_eq(read(p[0], buf, sizeof(buf) - 1), 6);
	ck_assert_str_eq(buf, "piped\n");
	close(p[0]);
	close(p[1]);
	free(path);
}
END_TEST

START_TEST(directory_refused)
{
	struct strbuf err = STRBUF_INIT;
	char *dir = xasprintf("%s/adir", unit_tmpdir());
	struct stat st;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(write_file_atomic(dir, "x", 1, &err), -1);
	ck_assert_msg(strstr(err.buf, "is a directory") != NULL, "%s", err.buf);
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	strbuf_release(&err);
	free(dir);
}
END_TEST

START_TEST(new_file_gets_umask_mode)
{
	char *path = xasprintf("%s/new.conf", unit_tmpdir());
	mode_t old = umask(022);
	struct stat st;

	write_ok(path, "n\n");
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	free(path);
}
END_TEST

START_TEST(reading_limits)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	char *fifo = xasprintf("%s/in-fifo", unit_tmpdir());

	/* an endless device stops at the size limit, nothing kept */
	ck_assert_int_eq(read_file("/dev/zero", &sb, &err), -1);
	ck_assert_msg(strstr(err.buf, "limit") != NULL, "%s", err.buf);
	ck_assert_uint_eq(sb.len, 0);
	strbuf_reset(&err);
	/* server files: regular only, as Apache; /dev/null reads empty */
	ck_assert_int_eq(read_config_file("/dev/zero", &sb, &err), -1);
	ck_assert_msg(strstr(err.buf, "not a regular file") != NULL, "%s", err.buf);
	strbuf_reset(&err);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(read_config_file(fifo, &sb, &err), -1);	/* no hang */
	ck_assert_msg(strstr(err.buf, "not a regular file") != NULL, "%s", err.buf);
	strbuf_reset(&err);
	ck_assert_int_eq(read_config_file("/dev/null", &sb, &err), 0);
	ck_assert_uint_eq(sb.len, 0);
	strbuf_release(&sb);
	strbuf_release(&err);
	free(fifo);
}
END_TEST

/* --root: links resolved inside the root as chroot(2) would (issue 13:
 * absolute links led to the host's files) */
START_TEST(root_resolve_stays_inside)
{
	const char *root = unit_tmpdir();
	char *p, *want;

	free(unit_write("etc/apache2/mods-available/a.conf", "a\n"));
	free(unit_write("usr/share/waf/r.conf", "r\n"));
	p = xasprintf("%s/etc/apache2/mods-enabled", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/etc/apache2/mods-enabled/a.conf", root);
	ck_assert_int_eq(symlink("/etc/apache2/mods-available/a.conf", p), 0);	/* absolute */
	free(p);
	p = xasprintf("%s/etc/waf", root);
	ck_assert_int_eq(symlink("../../../../usr/share/waf", p), 0);		/* climbs past the root */
	free(p);

	p = root_resolve(root, "/etc/apache2/mods-enabled/a.conf");
	want = xasprintf("%s/etc/apache2/mods-available/a.conf", root);
	ck_assert_str_eq(p, want);
	free(p);
	free(want);
	p = root_resolve(root, "/etc/waf/r.conf");
	want = xasprintf("%s/usr/share/waf/r.conf", root);
	ck_assert_str_eq(p, want);
	free(p);
	free(want);
	/* glob characters: resolved up to them, the rest kept */
	p = root_resolve(root, "/etc/waf/*.conf");
	want = xasprintf("%s/usr/share/waf/*.conf", root);
	ck_assert_str_eq(p, want);
	free(p);
	free(want);
	/* ".." stops at the root; a missing part keeps the rest as written */
	p = root_resolve(root, "/../../etc/./missing/x.conf");
	want = xasprintf("%s/etc/missing/x.conf", root);
	ck_assert_str_eq(p, want);
	free(p);
	free(want);
	/* outside the root: untouched */
	p = root_confine(root, "/etc/hosts");
	ck_assert_str_eq(p, "/etc/hosts");
	free(p);
}
END_TEST

/* ---- the strict YAML loader (catalogue, ftw tests, overrides) ---- */

static int load(const char *text, yaml_document_t *d, struct strbuf *err)
{
	strbuf_reset(err);
	return yaml_load_strict(d, "t.yaml", text, strlen(text), err);
}

START_TEST(yaml_strict)
{
	struct strbuf err = STRBUF_INIT, big = STRBUF_INIT;
	yaml_document_t d;
	yaml_node_t *root;

	/* aliases to complete anchors load, as yaml_parser_load() had them */
	ck_assert_int_eq(load("a: &x [1, 2]\nb: *x\n", &d, &err), 0);
	root = yaml_document_get_root_node(&d);
	ck_assert_int_eq(root->type, YAML_MAPPING_NODE);
	ck_assert_int_eq(root->data.mapping.pairs.start[0].value, root->data.mapping.pairs.start[1].value);
	ck_assert_int_eq(root->start_mark.line, 0);
	yaml_document_delete(&d);
	/* an empty stream: a document without a root */
	ck_assert_int_eq(load("", &d, &err), 0);
	ck_assert_ptr_null(yaml_document_get_root_node(&d));
	yaml_document_delete(&d);
	/* duplicates, in a small mapping and in a large (sorted) one */
	ck_assert_int_eq(load("a: 1\nb: 2\na: 3\n", &d, &err), -1);
	ck_assert_str_eq(err.buf, "t.yaml:3: duplicate key \"a\" (first given at line 1)");
	for (int i = 0; i < 40; i++)
		strbuf_addf(&big, "k%d: %d\n", i, i);
	strbuf_addstr(&big, "k7: again\n");
	ck_assert_int_eq(load(big.buf, &d, &err), -1);
	ck_assert_str_eq(err.buf, "t.yaml:41: duplicate key \"k7\" (first given at line 8)");
	/* a cycle, an unknown anchor, an alias bomb, depth */
	ck_assert_int_eq(load("a: &x [*x]\n", &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "t.yaml:1: alias *x names no complete anchor"));
	strbuf_reset(&big);
	strbuf_addstr(&big, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'j'; c++)
		strbuf_addf(&big, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
			    c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	ck_assert_int_eq(load(big.buf, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "aliases expand the document by more than"));
	strbuf_reset(&big);
	for (int i = 0; i < 65; i++)
		strbuf_addch(&big, '[');
	ck_assert_int_eq(load(big.buf, &d, &err), -1);
	ck_assert_str_eq(err.buf, "t.yaml:1: nested deeper than 64 levels (the limit on YAML nesting)");
	strbuf_setlen(&big, 64);
	for (int i = 0; i < 64; i++)
		strbuf_addch(&big, ']');
	ck_assert_int_eq(load(big.buf, &d, &err), 0);	/* 64 is allowed */
	yaml_document_delete(&d);
	strbuf_release(&big);
	strbuf_release(&err);
}
END_TEST

Suite *fileio_suite(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("write-through");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, symlink_target_replaced_link_kept);
	tcase_add_test(tc, dangling_symlink_creates_target);
	tcase_add_test(tc, owner_and_mode_kept);
	tcase_add_test(tc, device_stays_a_device);
	tcase_add_test(tc, fifo_written_not_replaced);
	tcase_add_test(tc, fd_path_writes_the_descriptor);
	tcase_add_test(tc, directory_refused);
	tcase_add_test(tc, new_file_gets_umask_mode);
	tcase_add_test(tc, reading_limits);
	tcase_add_test(tc, root_resolve_stays_inside);
	tcase_add_test(tc, yaml_strict);
	suite_add_tcase(s, tc);
	return s;
}
