#!/usr/bin/env bash
# replay.sh: runs every kept fuzz input (tests/fuzz/corpus/NAME/*) once through the replay
# program BUILD_DIR/replay_NAME (no fuzzing), with leak checking; fails if any program fails.
# Usage: tests/fuzz/replay.sh BUILD_DIR   (e.g. build/asan/fuzz, from the repository root)
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p tests/output
dir=${1:?usage: replay.sh BUILD_DIR}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for corpus in tests/fuzz/corpus/*/; do
	name=$(basename "$corpus")
	if [ ! -x "$dir/replay_$name" ]; then
		echo "replay: $dir/replay_$name is missing (make BUILD=${dir%/fuzz} all)"
		failed=1
		continue
	fi
	if ! "$dir/replay_$name" "$corpus" >/dev/null 2>tests/output/fuzz-replay-$name.log; then
		echo "replay: $name FAILED (see tests/output/fuzz-replay-$name.log)"
		tail -30 tests/output/fuzz-replay-$name.log
		failed=1
	else
		echo "replay: $name: $(ls "$corpus" | wc -l) inputs ok"
	fi
done
exit $failed
