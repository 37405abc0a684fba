#!/bin/sh
# Regenerates the generated parts of the docs from the code (`make docs`):
# the opcode table in docs/bytecode.md comes from runtime/opcodes.def via
# `attend opcodes --markdown`. With --check, changes nothing and fails when
# the docs are out of date (run by `make check-golden`).
set -eu
ATTEND=$1
doc=docs/bytecode.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.table"' EXIT
"$ATTEND" opcodes --markdown >"$tmp.table"
awk -v table="$tmp.table" '
	/<!-- opcodes:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- opcodes:end -->/ { skip = 0 }
	!skip { print }
' "$doc" >"$tmp"
if [ "${2:-}" = --check ]; then
	if cmp -s "$tmp" "$doc"; then
		echo "docs: the opcode table in $doc matches runtime/opcodes.def"
	else
		echo "FAIL: $doc is out of date with runtime/opcodes.def; run 'make docs'"
		diff -u "$doc" "$tmp" | head -20
		exit 1
	fi
else
	cp "$tmp" "$doc"
fi
