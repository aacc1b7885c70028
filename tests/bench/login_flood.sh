#!/usr/bin/env bash
# login_flood.sh: tests/bench/login_flood.py on a private stack (own ports and state), stopped at the end.
# Knobs (environment): WORKERS (4), FLOOD_LOOPS (12), FLOOD_SECONDS (10); any setting of the
# program (HASH_CONCURRENCY, HASH_ADDR_LIMIT...) passes through to the workers.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export STATE_DIR=${BENCH_STATE_DIR:-$ROOT/tests/output/flood-stack}
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
if [ -f "$STATE_DIR/stack.env" ]; then deploy/stack.sh stop >/dev/null 2>&1 || true; fi
rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR"
export SITE_PORT=auto PG_PORT=auto REDIS_PORT=auto TMDB_STANDIN_PORT=auto STACK_FAST=1 PAGE_CACHE=0
export WORKERS=${WORKERS:-4} MAX_REQUESTS=0
unset TMDB_BASE_URL TMDB_API_KEY TMDB_READ_TOKEN DATABASE_URL REDIS_URL SECRET_KEY
trap 'deploy/stack.sh stop >/dev/null 2>&1' EXIT
deploy/stack.sh start >/dev/null || { tail -n 30 "$STATE_DIR"/log/*.log; exit 1; }
set -a; . "$STATE_DIR/stack.env"; set +a
echo "== login flood: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $WORKERS workers, load before: $(cut -d' ' -f1-3 /proc/loadavg) =="
grep -E '^HASH_' "$STATE_DIR/effective-config.txt"
/usr/bin/python3 tests/bench/login_flood.py --site "$SITE_URL" --loops "${FLOOD_LOOPS:-12}" \
	--seconds "${FLOOD_SECONDS:-10}"
