#!/usr/bin/env bash
# run-integration.sh: starts a private stack (own ports, own state directory), runs the pytest
# suites against it, and stops it whatever happens.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export STATE_DIR=${TEST_STATE_DIR:-$ROOT/tests/output/stack}
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
# A fresh cluster every run, on ports nobody else holds, so this runs beside `make run`.
if [ -f "$STATE_DIR/stack.env" ]; then deploy/stack.sh stop >/dev/null 2>&1 || true; fi
rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR"
export SITE_PORT=auto PG_PORT=auto REDIS_PORT=auto TMDB_STANDIN_PORT=auto SMTP_PORT=auto STACK_FAST=1
# Mail retried after a transient failure within a second or two (test_mailer.py counts them).
export EMAIL_RETRY_MIN_S=${EMAIL_RETRY_MIN_S:-1} EMAIL_TIMEOUT=${EMAIL_TIMEOUT:-5}
export WORKERS=${WORKERS:-4}
# The tests watch the workers, Redis and TMDb behind each page; nginx's page cache would hide
# them. test_lifecycle.py checks the page cache on a stack of its own.
export PAGE_CACHE=0
# The suite registers and changes passwords from 127.0.0.1 far more than a person would; the
# tests of those limits (test_throttles.py) speak from other loopback addresses.
export THROTTLE_EXEMPT_ADDRS=127.0.0.1
export TMDB_TIMEOUT_MS=${TMDB_TIMEOUT_MS:-1500} TMDB_CONNECT_TIMEOUT_MS=${TMDB_CONNECT_TIMEOUT_MS:-1000}
unset TMDB_BASE_URL TMDB_API_KEY TMDB_READ_TOKEN DATABASE_URL REDIS_URL SECRET_KEY DB_PREPARED EMAIL_HOST EMAIL_PORT
# PGBOUNCER=1 puts PgBouncer (transaction pooling) between the workers and PostgreSQL.
export PGBOUNCER=${PGBOUNCER:-0} PGBOUNCER_PORT=auto
trap 'deploy/stack.sh stop >/dev/null 2>&1' EXIT
deploy/stack.sh start || { tail -n 50 "$STATE_DIR"/log/*.log; exit 1; }
set -a; . "$STATE_DIR/stack.env"; set +a
export TEST_OUTPUT=$ROOT/tests/output
# One pytest process per file: several files configure Django in-process, once per process.
status=0
junit="$STATE_DIR/junit"; mkdir -p "$junit"
# TEST_FILES narrows the run to some files (make test-pgbouncer); default: every one.
# after_all_*.py check the whole run's record (e.g. every API operation validated): last, and only
# when every file ran.
for file in ${TEST_FILES:-tests/integration/test_*.py tests/integration/after_all_*.py}; do
	name=$(basename "$file" .py)
	/usr/bin/python3 -m pytest -q -p no:cacheprovider -o junit_family=xunit2 \
		--junitxml="$junit/$name.xml" "$file" "$@"
	rc=$?
	# 5 = every test of the file deselected by -k: not a failure.
	if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then status=1; echo "FAILED: $file"; fi
done
/usr/bin/python3 - "$junit" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
t = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for f in glob.glob(sys.argv[1] + "/*.xml"):
    for suite in ET.parse(f).getroot().iter("testsuite"):
        for k in t:
            t[k] += int(suite.get(k, 0))
failed = t["failures"] + t["errors"]
print(f"integration: {t['tests'] - failed - t['skipped']} passed, {failed} failed, {t['skipped']} skipped")
PY
if [ $status -ne 0 ]; then
	echo "--- last lines of the stack's logs ($STATE_DIR/log) ---"
	tail -n 30 "$STATE_DIR"/log/fcgi.log "$STATE_DIR"/log/nginx-error.log 2>/dev/null
fi
exit $status
