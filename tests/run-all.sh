#!/usr/bin/env bash
# run-all.sh: the whole suite behind `make test`: unit tests (plain, ASan/UBSan, valgrind), then the
# integration tests on a private stack whose workers are the ASan/UBSan build; closes with one
# summary line for the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/summary.sh
mkdir -p tests/output
log=tests/output/run-all; rm -rf "$log"; mkdir -p "$log"
stage "unit tests" "$log/unit.log" cmocka tests/run-unit.sh build/tests/test_*
stage "unit tests under ASan/UBSan" "$log/asan.log" cmocka \
	env ASAN_OPTIONS=detect_leaks=1 tests/run-unit.sh build/asan/tests/test_*
stage "unit tests under valgrind" "$log/valgrind.log" cmocka \
	env VALGRIND=1 tests/run-unit.sh build/tests/test_*
# Fuzz corpora (seeds and every past finding) replayed once each, no fuzzing (tests/fuzz/).
stage "fuzz corpora replayed (ASan/UBSan)" "$log/fuzz.log" replay tests/fuzz/replay.sh build/asan/fuzz
# Leak checks are for the unit tests; a worker's process-lifetime state is freed by exit.
stage "integration tests (ASan/UBSan workers)" "$log/integration.log" pytest \
	env ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	BUILD_DIR="$PWD/build/asan" tests/run-integration.sh
# A good part of the same tests with PgBouncer (transaction pooling) before PostgreSQL.
stage "integration tests through PgBouncer" "$log/pgbouncer.log" pytest \
	make --no-print-directory built-test-pgbouncer
if grep -l -E 'ERROR: AddressSanitizer|runtime error:' tests/output/stack/log/*.log 2>/dev/null; then
	verdict "sanitizer reports in the stack's logs (above)" 1 0 1 0
fi
summary
