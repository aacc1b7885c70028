#!/usr/bin/env bash
# static-version.sh: prints the 12-hex digest of fcgi/static/ that versions the assets' URLs (STATIC_URL=/static/<digest>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
find "$root/fcgi/static" -type f -print0 | sort -z | xargs -0 -r cat | sha256sum | cut -c1-12
