#!/usr/bin/env bash
# messages-in-one-place.sh: fails if a sentence shown to users is written outside fcgi/fail.c's
# table (fail.h: enum msg): a string literal handed to a field error, a parse failure's *why, a
# form's mismatch text or a JSON answer's text. Log lines are not shown to users and pass.
set -uo pipefail
cd "$(dirname "$0")/.."
# A literal starting with a capital and holding a space: a sentence, not a key or a field name.
sentence='"[A-Z][^"]* [^"]*"'
hits=$(grep -nE \
	-e "(api_field_error|form_error|form_error_all|->error)\\([^;]*${sentence}" \
	-e "(\\*why|mismatch|too_large)[[:space:]]*=[[:space:]]*(\"|arena_printf)" \
	-e "json_object_new_string\\(${sentence}" \
	-e "answer_failure\\([^;]*(arena_printf|${sentence})" \
	-e "#define[[:space:]]+[A-Z_]+[[:space:]]+${sentence}" \
	fcgi/*.c | grep -v '^fcgi/fail\.c:')
if [ -n "$hits" ]; then
	echo "$hits"
	echo "messages-in-one-place: a message shown to users belongs in fcgi/fail.c's table (enum msg), not above"
	exit 1
fi
