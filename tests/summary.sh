# summary.sh: sourced by the test drivers: runs stages, counts their tests, prints one closing line.
# A stage that fails without a failed test of its own (a stack that won't start, a sanitizer
# report) counts as one failure, so the closing line never says 0 failed for a failed run.
total_passed=0 total_failed=0 total_skipped=0 verdicts=()

# verdict NAME RC PASSED FAILED SKIPPED: records one stage's outcome.
verdict() {
	local name=$1 rc=$2 p=$3 f=$4 s=$5
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_passed=$((total_passed + p)) total_failed=$((total_failed + f)) total_skipped=$((total_skipped + s))
	if [ "$rc" -eq 0 ]; then verdicts+=("$name: passed ($p passed, $s skipped)")
	else verdicts+=("$name: FAILED ($p passed, $f failed, $s skipped)"); fi
}

# stage NAME LOG KIND CMD...: runs CMD, its output shown and kept in LOG, its tests counted from
# cmocka's or run-integration.sh's own summary lines, or replay.sh's or fuzz/run.sh's (KIND: cmocka,
# pytest, replay, fuzz).
stage() {
	local name=$1 log=$2 kind=$3 rc p=0 f=0 s=0; shift 3
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$kind" = replay ]; then	# one test per fuzz target (tests/fuzz/replay.sh)
		p=$(grep -c '^replay: .* inputs ok$' "$log")
		f=$(grep -c '^replay: .*\(FAILED\|missing\)' "$log")
	elif [ "$kind" = fuzz ]; then	# one test per fuzz target (tests/fuzz/run.sh)
		p=$(grep -c ', no finding$' "$log")
		f=$(grep -c 'FOUND A PROBLEM' "$log")
	elif [ "$kind" = cmocka ]; then
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
	else
		read -r p f s < <(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" | tail -n 1)
		p=${p:-0} f=${f:-0} s=${s:-0}
	fi
	verdict "$name" "$rc" "$p" "$f" "$s"
}

# summary: one line per stage, then the closing line for the whole run; fails if anything failed.
summary() {
	echo
	printf '%s\n' "${verdicts[@]}"
	echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
	[ "$total_failed" -eq 0 ]
}
