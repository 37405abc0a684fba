#!/bin/sh
# Dependencies run one way: a file may include its own layer and the layers
# below it, never one above. The order, lowest first:
#
#   runtime/base → runtime/machine → runtime/register → runtime/engine → runtime/tools
#   lang → runtime/machine, runtime/base          cli → everything
#
# Also: runtime/ holds folders only, no source file at its top level.
set -u
cd "$(dirname "$0")/.."
rank() {
	case "$1" in
	runtime/base) echo 0 ;; runtime/machine) echo 1 ;; runtime/register) echo 2 ;;
	runtime/engine) echo 3 ;; runtime/tools) echo 4 ;; lang) echo 1 ;; cli) echo 9 ;; *) echo 99 ;;
	esac
}
fail=0
for f in runtime/*; do
	[ -d "$f" ] || { echo "FAIL: $f: runtime/ holds layers (folders), not source files"; fail=1; }
done
for f in runtime/*/*.[ch] runtime/*/*.def lang/*.[ch] lang/*.l lang/*.y; do
	dir=$(dirname "$f")
	mine=$(rank "$dir")
	[ "$mine" = 99 ] && { echo "FAIL: $f: $dir is not a known layer (tests/check-layers.sh)"; fail=1; continue; }
	grep -n '^#include "\(runtime\|lang\|cli\)/' "$f" | while IFS= read -r line; do
		target=$(echo "$line" | sed 's/^[0-9]*:#include "\(.*\)\/[^/]*"/\1/')
		theirs=$(rank "$target")
		# lang sits beside the machine: it may use base and machine, nothing above
		if [ "$dir" = lang ] && [ "$target" = lang ]; then continue; fi
		if [ "$target" = lang ] && [ "$dir" != lang ] && [ "$dir" != cli ]; then theirs=99; fi
		if [ "$theirs" -gt "$mine" ]; then
			echo "FAIL: $f:${line%%:*}: $dir includes $target, a layer above it"
			exit 1
		fi
	done || fail=1
done
# The library is one archive, and ar keeps members by file name: two
# sources with one name would leave only one of them in it.
dups=$(ls runtime/*/*.c lang/*.c | xargs -n1 basename | sort | uniq -d)
[ -n "$dups" ] && { echo "FAIL: two sources share a file name (ar would keep one): $dups"; fail=1; }
[ "$fail" = 0 ] && echo "layers: every include goes down (base → machine → register → engine → tools; lang → machine)"
exit "$fail"
