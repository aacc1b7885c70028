#!/usr/bin/env bash
# function-length.sh: fails if a function of common/ or fcgi/ runs over 60 lines (the house rule),
# counted from its signature's first line to its closing brace, and names each one.
set -uo pipefail
cd "$(dirname "$0")/.."
awk -v max="${MAX_FUNCTION_LINES:-60}" '
	FNR == 1 { start = 0 }
	/^[A-Za-z].*\(/ && !/;[ \t]*$/ { sig = $0; sigline = FNR }
	/^\{/ { start = sigline; name = sig }
	/^\}/ && start {
		if (FNR - start + 1 > max) {
			printf "%s:%d: %d lines (at most %d): %s\n", FILENAME, start, FNR - start + 1, max, name
			bad = 1
		}
		start = 0
	}
	END { exit bad }
' common/*.c fcgi/*.c
