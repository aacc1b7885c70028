#!/bin/sh
# movies_bench.sh: times details-many of 20 uncached movies with 100 ms of stand-in latency (concurrent vs sequential).
#
# Uses REDIS_URL / TMDB_BASE_URL / TMDB_API_KEY / BUILD_DIR when set, else starts its own
# redis-server and TMDb stand-in on free ports. Prints one line per measurement.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
TOOL=${MOVIETOOL:-$BUILD_DIR/tools/movietool}
LATENCY_MS=${LATENCY_MS:-100}
N=${N:-20}
[ -x "$TOOL" ] || { echo "movies_bench: $TOOL not built (make all)" >&2; exit 1; }

TMP=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if [ -z "${REDIS_URL:-}" ]; then
	RPORT=$(free_port)
	redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
	    >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	REDIS_URL="redis://127.0.0.1:$RPORT/0"
fi
if [ -z "${TMDB_BASE_URL:-}" ]; then
	/usr/bin/python3 "$REPO/deploy/tmdb-standin/standin.py" --host 127.0.0.1 --port 0 \
	    --port-file "$TMP/port" --api-key standin-api-key --read-token standin-read-token \
	    >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$TMP/port" ]; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "stand-in did not start" >&2; exit 1; }
		sleep 0.05
	done
	TMDB_BASE_URL="http://127.0.0.1:$(cat "$TMP/port")/3"
	TMDB_API_KEY=standin-api-key
fi
TMDB_API_KEY=${TMDB_API_KEY:-standin-api-key}
CONTROL=$(echo "$TMDB_BASE_URL" | sed 's|/3$||')/__standin
sleep 0.3

# Cold synthetic ids (the stand-in's 1000000..1999999 range), different on every run.
ids() {
	/usr/bin/python3 -c "import random; b=random.randint(1000000,1999000-$N); print(' '.join(str(b+i) for i in range($N)))"
}

elapsed() {
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.stdin.readlines()[-1]); print("%s ms (%s)" % (d["elapsed_ms"], d["status"]))'
}

curl -s -X DELETE "$CONTROL/faults" >/dev/null
curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"latency_ms\":$LATENCY_MS,\"path_prefix\":\"/3/movie/\"}" "$CONTROL/faults" >/dev/null

run() {
	label=$1; shift
	set -- "$TOOL" --redis "$REDIS_URL" --tmdb-base "$TMDB_BASE_URL" --api-key "$TMDB_API_KEY" "$@"
	printf "%-44s %s\n" "$label" "$("$@" 2>/dev/null | elapsed)"
}

echo "details-many of $N uncached movies, stand-in latency ${LATENCY_MS} ms per call"
echo "(sequential would be about $((N * LATENCY_MS)) ms; one round trip is ${LATENCY_MS} ms)"
# shellcheck disable=SC2046
run "concurrency 8 (default), cold:" details-many $(ids)
# shellcheck disable=SC2046
run "concurrency 19 (TMDb cap), cold:" --concurrency 19 details-many $(ids)
# shellcheck disable=SC2046
run "concurrency 1 (sequential), cold:" --concurrency 1 details-many $(ids)
WARM=$(ids)
# shellcheck disable=SC2086
"$TOOL" --redis "$REDIS_URL" --tmdb-base "$TMDB_BASE_URL" --api-key "$TMDB_API_KEY" details-many $WARM >/dev/null 2>&1
# shellcheck disable=SC2086
run "all cached (one Redis MGET):" details-many $WARM
curl -s -X DELETE "$CONTROL/faults" >/dev/null
