#!/bin/sh
# Every CRS release's regression corpus through `test`, each against that
# release's own rules: go-ftw (and, for CRS 3, the python ftw) reads every
# one of these files, so `test` must refuse none of them.
#
#   MCA_BIN=_build/modsec-callback-audit sh tests/ftw-tags.sh CRS_GIT_DIR [TAG...]
#
# CRS_GIT_DIR is a clone of github.com/coreruleset/coreruleset (bare is
# fine); TAGs default to every v3.1+ and v4 release tag. Each tag's
# tests/regression (util/regression-tests before 3.3), rules/ and
# crs-setup.conf.example are unpacked under a temp dir (nothing is kept).
# CRS 4: --platform nginx with the tag's nginx-overrides.yaml when it has
# one, after testdata/ftw/crs4-regression.conf (CRS's CI settings). CRS 3
# (legacy ftw files): --platform apache after crs-regression.conf's
# settings. One line per tag: the summary, the refused files, the exit
# status; a tag whose rules libmodsecurity 3.0.9 cannot load says so
# (exit 2 from `test`, its reason) and is not counted as refused.
# Exit 1 when some file was refused, else 0. Not part of `make check`: it
# needs the CRS history.
set -u
bin=${MCA_BIN:?MCA_BIN}
git=${1:?usage: ftw-tags.sh CRS_GIT_DIR [TAG...]}
shift
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
[ $# -gt 0 ] || set -- $(git -C "$git" tag | grep -E '^v(3\.[1-9]|4)\.[0-9.]+$' | sort -V)
# crs-regression.conf without Debian's crs-setup.conf: the tag's own is loaded
grep -v 'crs/crs-setup.conf' "$src/testdata/ftw/crs-regression.conf" >"$tmp/crs3.conf"
refused=0
for tag in "$@"; do
	d=$tmp/$tag
	mkdir -p "$d"
	paths=
	for p in tests/regression util/regression-tests rules crs-setup.conf.example; do
		git -C "$git" cat-file -e "$tag:$p" 2>/dev/null && paths="$paths $p"
	done
	# shellcheck disable=SC2086
	git -C "$git" archive "$tag" $paths | tar -x -C "$d"
	tests=$d/tests/regression/tests
	[ -d "$d/util/regression-tests/tests" ] && tests=$d/util/regression-tests/tests
	case $tag in
	v4*)
		ov=$d/tests/regression/nginx-overrides.yaml
		[ -f "$ov" ] || ov=/dev/null
		"$bin" test --platform nginx --overrides "$ov" -r "$src/testdata/ftw/crs4-regression.conf" -r "$d/crs-setup.conf.example" \
			-r "$d/rules/*.conf" "$tests" >"$d.out" 2>"$d.err"
		;;
	*)
		"$bin" test --platform apache -r "$tmp/crs3.conf" -r "$d/crs-setup.conf.example" \
			-r "$d/rules/*.conf" "$tests" >"$d.out" 2>"$d.err"
		;;
	esac
	rc=$?
	n=$(grep -c 'the file is refused' "$d.err")
	if [ "$rc" -eq 2 ]; then
		echo "$tag: not run (exit 2): $(head -n 1 "$d.err" | cut -c1-200)"
	else
		echo "$tag: $(tail -n 1 "$d.out"); $n files refused (exit $rc)"
		grep 'the file is refused' "$d.err" | sed 's/^/  /'
	fi
	refused=$((refused + n))
	rm -rf "$d" "$d.out" "$d.err"
done
[ "$refused" -eq 0 ]
