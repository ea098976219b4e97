#!/bin/sh
# Write a synthetic go-ftw v2 corpus for benchmarks: N tests (default 2000)
# in files of 100, cycling through attack and clean payloads in the query,
# a form body and headers. Expectations are loose (no_expect_ids of an id
# that never fires), so every test passes and the time is the tests' own.
#   sh tests/bench/gen-corpus.sh DIR [N]
set -eu
dir=$1
n=${2:-2000}
mkdir -p "$dir"
awk -v n="$n" -v dir="$dir" 'BEGIN {
	p[0] = "var=1234 OR 1=1"; p[1] = "q=<script>alert(1)</script>"; p[2] = "f=../../etc/passwd"
	p[3] = "cmd=;cat /etc/passwd"; p[4] = "name=John Smith&city=Berlin"; p[5] = "x=hello world"
	p[6] = "id=1 UNION SELECT password FROM users"; p[7] = "u=http://evil.example/shell.txt?"
	for (i = 0; i < n; i++) {
		if (i % 100 == 0) {
			if (file) close(file)
			file = sprintf("%s/9%05d.yaml", dir, i / 100)
			printf "rule_id: 9%05d\ntests:\n", i / 100 > file
		}
		k = i % 8
		printf "  - test_id: %d\n    stages:\n      - input:\n", i % 100 + 1 > file
		printf "          headers: {Host: localhost, User-Agent: \"bench agent %d\", Accept: \"*/*\"}\n", i > file
		if (i % 2) {
			printf "          method: POST\n          data: \"%s\"\n", p[k] > file
		} else {
			q = p[k]; gsub(/ /, "%20", q); gsub(/</, "%3C", q); gsub(/>/, "%3E", q)
			printf "          uri: \"/?%s\"\n", q > file
		}
		printf "        output:\n          log: {no_expect_ids: [1]}\n" > file
	}
}'
echo "$n tests in $dir"
