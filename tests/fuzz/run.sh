#!/usr/bin/env bash
# run.sh: fuzzes each named target in turn for FUZZ_SECONDS (default 60), one at a time.
# New interesting inputs go to build/libfuzzer/corpus/NAME (scratch); crashes, leaks and timeouts
# are written into tests/fuzz/corpus/NAME/ so that the replay keeps checking them once fixed.
# Prints executions per target. Usage: tests/fuzz/run.sh BIN_DIR NAME...
set -uo pipefail
cd "$(dirname "$0")/../.."
bindir=${1:?usage: run.sh BIN_DIR NAME...}
shift
secs=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p tests/output
status=0
summary=""
for name in "$@"; do
	scratch=build/libfuzzer/corpus/$name
	kept=tests/fuzz/corpus/$name
	mkdir -p "$scratch" "$kept"
	log=tests/output/fuzz-$name.log
	echo "fuzz: $name for ${secs}s"
	"$bindir/fuzz_$name" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$kept/" "$scratch" "$kept" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -ne 0 ]; then
		status=1
		summary+=$(printf '%-12s %10s executions, %s: FOUND A PROBLEM (rc %d, see %s)\n' \
			"$name" "${execs:-?}" "${cov:-cov: ?}" $rc "$log")$'\n'
	else
		summary+=$(printf '%-12s %10s executions, %s, no finding' "$name" "${execs:-?}" \
			"${cov:-cov: ?}")$'\n'
	fi
done
echo
printf '%s' "$summary"
exit $status
