#!/usr/bin/env bash
# run-unit.sh: runs each cmocka unit-test binary given (under valgrind when VALGRIND=1); fails if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
for t in "$@"; do
	echo "== $t"
	if [ "${VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$t" || failed=1
	else
		"$t" || failed=1
	fi
done
exit $failed
