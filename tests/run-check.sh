#!/usr/bin/env bash
# run-check.sh: the quick tier behind `make check`: the unit tests, then the integration tests
# marked smoke (one or a few per feature) on a private stack of the plain build.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/summary.sh
log=tests/output/run-check; rm -rf "$log"; mkdir -p "$log"
stage "unit tests" "$log/unit.log" cmocka tests/run-unit.sh build/tests/test_*
stage "integration smoke tests" "$log/integration.log" pytest tests/run-integration.sh -m smoke
summary
