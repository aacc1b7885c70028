#!/usr/bin/env bash
# run-all.sh: the whole suite behind `make test`: unit tests (plain, ASan/UBSan, valgrind), then the
# integration tests on a private stack whose workers are the ASan/UBSan build.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p tests/output
unit=0 sanitized=0 valgrind=0 integration=0 reports=0
tests/run-unit.sh build/tests/test_* || unit=1
ASAN_OPTIONS=detect_leaks=1 tests/run-unit.sh build/asan/tests/test_* || sanitized=1
VALGRIND=1 tests/run-unit.sh build/tests/test_* || valgrind=1
# Fuzz corpora (seeds and every past finding) replayed once each, no fuzzing (tests/fuzz/).
fuzz=0
tests/fuzz/replay.sh build/asan/fuzz || fuzz=1
# Leak checks are for the unit tests; a worker's process-lifetime state is freed by exit.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	BUILD_DIR="$PWD/build/asan" tests/run-integration.sh || integration=1
if grep -l -E 'ERROR: AddressSanitizer|runtime error:' tests/output/stack/log/*.log 2>/dev/null; then
	echo "sanitizer reports in the stack's logs above"
	reports=1
fi
echo
[ $unit -eq 0 ] && echo "unit tests: passed" || echo "unit tests: FAILED"
[ $sanitized -eq 0 ] && echo "unit tests under ASan/UBSan: passed" || echo "unit tests under ASan/UBSan: FAILED"
[ $valgrind -eq 0 ] && echo "unit tests under valgrind: passed" || echo "unit tests under valgrind: FAILED"
[ $integration -eq 0 ] && echo "integration tests (ASan/UBSan workers): passed" || echo "integration tests: FAILED"
[ $fuzz -eq 0 ] && echo "fuzz corpora replayed (ASan/UBSan): passed" || echo "fuzz corpora replayed: FAILED"
[ $reports -eq 0 ] || echo "sanitizer reports: FOUND"
[ $unit -eq 0 ] && [ $sanitized -eq 0 ] && [ $valgrind -eq 0 ] && [ $integration -eq 0 ] && [ $reports -eq 0 ] && [ $fuzz -eq 0 ]
