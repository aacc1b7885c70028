#!/usr/bin/env bash
# run-unit.sh: runs each cmocka unit-test binary given (under valgrind when VALGRIND=1); fails if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
for t in "$@"; do
	echo "== $t"
	if [ "${VALGRIND:-0}" = 1 ]; then
		# Hashes at Django's real costs take minutes under valgrind: cheap ones there.
		# Tests that start servers make fewer rounds there (tests/unit/servers.h).
		UNIT_CHEAP_HASHES=1 UNIT_UNDER_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$t" || failed=1
	else
		"$t" || failed=1
	fi
done
exit $failed
