#!/usr/bin/env bash
# run-all.sh: the whole suite behind `make test`: unit tests, then integration tests on a private stack.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p tests/output
unit=0 integration=0
tests/run-unit.sh "$@" || unit=1
tests/run-integration.sh || integration=1
echo
[ $unit -eq 0 ] && echo "unit tests: passed" || echo "unit tests: FAILED"
[ $integration -eq 0 ] && echo "integration tests: passed" || echo "integration tests: FAILED"
[ $unit -eq 0 ] && [ $integration -eq 0 ]
