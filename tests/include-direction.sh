#!/usr/bin/env bash
# include-direction.sh: fails if a file of common/ includes a header that is not common/'s own
# (or a system or generated one): includes point down, and common/ knows nothing of FastCGI.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
for f in common/*.c common/*.h; do
	while IFS= read -r h; do
		case $h in buildinfo.h) continue ;; esac
		if [ ! -f "common/$h" ]; then
			echo "$f: includes \"$h\", which is not in common/ (includes point down: common/ sees only common/)"
			bad=1
		fi
	done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
exit $bad
