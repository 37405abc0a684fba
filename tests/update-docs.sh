#!/bin/sh
# Regenerates the generated parts of the docs from the code (`make docs`):
# the opcode table in docs/bytecode.md comes from runtime/opcodes.def via
# `attend opcodes --markdown`; the OPTIONS OF EACH COMMAND section of
# docs/attend.1 from the option tables in cli/ (the same tables `attend CMD
# --help` prints), via `attend --man-options`. With --check, changes nothing
# and fails when the docs are out of date (run by `make check-golden`).
set -eu
ATTEND=$1
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.table"' EXIT
status=0

# regenerate DOC BEGIN-MARKER END-MARKER WHAT: puts $tmp.table between the markers.
regenerate() {
	# The markers through the environment: awk -v would read \" as an escape.
	BEGIN_MARK=$2 END_MARK=$3 awk -v table="$tmp.table" '
		index($0, ENVIRON["BEGIN_MARK"]) == 1 { print; while ((getline line < table) > 0) print line; skip = 1; next }
		index($0, ENVIRON["END_MARK"]) == 1 { skip = 0 }
		!skip { print }
	' "$1" >"$tmp"
	if [ "${CHECK:-}" = 1 ]; then
		if cmp -s "$tmp" "$1"; then
			echo "docs: $4 in $1 is up to date"
		else
			echo "FAIL: $4 in $1 is out of date; run 'make docs'"
			diff -u "$1" "$tmp" | head -20
			status=1
		fi
	else
		cp "$tmp" "$1"
	fi
}

[ "${2:-}" = --check ] && CHECK=1
"$ATTEND" opcodes --markdown >"$tmp.table"
regenerate docs/bytecode.md '<!-- opcodes:begin -->' '<!-- opcodes:end -->' "the opcode table (runtime/opcodes.def)"
"$ATTEND" --man-options >"$tmp.table"
regenerate docs/attend.1 '.\" options:begin' '.\" options:end' "the options of each command (cli/ tables)"
exit $status
