# Sourced by tests/fuzz/fuzz.sh and tests/fuzz/replay.sh: the fuzz targets
# and their seed directories (relative to the source tree). Every target
# also takes testdata/fuzz/NAME/: hand-written seeds and every input a
# campaign found (the regression corpus).
fuzz_targets="catalog ftw overrides rawreq rules apache nginx errorlog auditlog"

fuzz_seeds() {
	case $1 in
	catalog)	echo "callbacks" ;;
	ftw)		echo "testdata/ftw" ;;
	overrides)	echo "" ;;
	rawreq)		echo "" ;;
	rules)		echo "rules/demo testdata/servers/cwaf-style testdata/parity" ;;
	apache)		echo "testdata/servers/debian-apache/etc testdata/servers/plesk/etc testdata/servers/cpanel-comodo/etc testdata/servers/cwaf-rhel/etc" ;;
	nginx)		echo "testdata/servers/debian-nginx/etc" ;;
	errorlog)	echo "" ;;
	auditlog)	echo "testdata/logs" ;;
	esac
}
