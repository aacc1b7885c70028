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
# A short fuzzing run of each libFuzzer target (clang-14), FUZZ_SECONDS each: a crash, leak or
# timeout fails the run and its input is kept in tests/fuzz/corpus/NAME/ for every later replay.
stage "fuzzing, ${FUZZ_SECONDS:-5} s a target (libFuzzer)" "$log/fuzzing.log" fuzz \
	env FUZZ_SECONDS="${FUZZ_SECONDS:-5}" make --no-print-directory -j2 fuzz
# Every sanitized process of the integration stages (the stacks' workers, the scale-out pools,
# the side workers, the tools) writes its ASan/UBSan reports here, whatever its stderr is.
sanitizer=$PWD/tests/output/sanitizer
rm -rf "$sanitizer"; mkdir -p "$sanitizer"; chmod 1777 "$sanitizer"
# Leak checks are for the unit tests; a worker's process-lifetime state is freed by exit.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$sanitizer/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$sanitizer/ubsan"
stage "integration tests (ASan/UBSan workers)" "$log/integration.log" pytest \
	env BUILD_DIR="$PWD/build/asan" tests/run-integration.sh
# A good part of the same tests with PgBouncer (transaction pooling) before PostgreSQL. The plain
# build: with the ASan one this stage takes minutes more (test_accounts' hashing alone 8 min on a
# loaded machine), past make test's 30 minutes; `BUILD_DIR=$PWD/build/asan make test-pgbouncer`
# runs it so (it passed on 2026-12-08).
stage "integration tests through PgBouncer" "$log/pgbouncer.log" pytest \
	make --no-print-directory built-test-pgbouncer
# Reports: the sanitizer directory, and every log of every stack under tests/output (the main
# and PgBouncer stacks, the scale-out pools...), in case a process was started without the options.
reports=$( { find "$sanitizer" -type f; find tests/output -path tests/output/run-all -prune -o \
	-path tests/output/sanitizer -prune -o -type f -name '*.log' -path '*/log/*' -print0 |
	xargs -0 -r grep -l -E 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'; } 2>/dev/null)
if [ -n "$reports" ]; then
	printf '%s\n' "$reports"
	head -n 40 $reports
	verdict "sanitizer reports of the integration stages (above)" 1 0 1 0
fi
summary
