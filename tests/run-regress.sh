#!/bin/sh
# Regressions whose inputs are too large to keep in the tree (issue 13): each is
# generated here, exactly as it was found, and must give a clear error or
# succeed, never crash, hang or say "internal error".
#
#   tests/run-regress.sh build/attend
. tests/lib.sh

# expect NAME STATUS PATTERN -- ATTEND-ARGS...: the exit status, and a line of stderr matching PATTERN.
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$ATTEND" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" "$tmp/err"; } &&
	   ! grep -q "internal error" "$tmp/err"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name: exit $got (expected $want), stderr:"
		cut -c1-200 "$tmp/err" | head -n 5
	fi
}

header() { printf 'policy "Limits"\ncode "O" unauthorised "Unauthorised"\n'; }

# 65,536 stages: a compile error at the stage past the limit (it failed verification: a 16-bit wrap).
{ header; awk 'BEGIN { for (i = 1; i <= 65536; i++) printf "stage %d \"s\"\n  when absence rate >= 5%%\nend\n", i }'; } \
	>"$tmp/stages.policy"
expect "65536 stages" 1 "stage 65536: a policy has at most 65535 stages" -- check "$tmp/stages.policy"

# 100,000 flags compile (checking was quadratic in the declarations: 101 s).
{ header; awk 'BEGIN { for (i = 0; i < 100000; i++) printf "flag f%d \"f\"\n  when absence rate >= 5%%\nend\n", i }'; } \
	>"$tmp/flags.policy"
expect "100000 flags" 0 "" -- check "$tmp/flags.policy"

# Ten thousand nested brackets, and ten thousand 'not's (both said "memory exhausted").
{ header; awk 'BEGIN { printf "flag f \"f\"\n  when "; for (i = 0; i < 10000; i++) printf "(";
	printf "absence rate >= 5%%"; for (i = 0; i < 10000; i++) printf ")"; printf "\nend\n" }'; } >"$tmp/brackets.policy"
expect "10000 brackets" 1 "nested too deeply (limit 100)" -- check "$tmp/brackets.policy"
{ header; awk 'BEGIN { printf "flag f \"f\"\n  when "; for (i = 0; i < 10000; i++) printf "not ";
	printf "absence rate >= 5%%\nend\n" }'; } >"$tmp/nots.policy"
expect "10000 nots" 1 "nested too deeply (limit 100)" -- check "$tmp/nots.policy"

# A bytecode file declaring 12,000,000 empty strings: refused before allocating for them (it took
# about nine times its size first). Without sanitizers (which reserve address space), in 200 MB.
# Header: magic, version 2.0, no flags; section 1 (strings) of 60,000,004 bytes; the count
# 12,000,000; then 12,000,000 times a zero length and a NUL.
{ printf '\211APC\r\n\032\n\002\000\000\000\000\000\000\000\001\000\000\000\004\207\223\003\000\033\267\000'
  head -c 60000000 /dev/zero; } >"$tmp/strings.apc"
(
	[ -n "${SANITIZED:-}" ] || ulimit -v 204800
	expect "12000000 strings" 2 "too many strings: 12000000" -- disasm "$tmp/strings.apc"
	echo "$passed $failed" >"$tmp/counts"
)
read -r passed failed <"$tmp/counts"
rm -f "$tmp/strings.apc"

# Closures: one row to 9999-12-31 (hung), and a week's closure in each of 7,000 school years
# (checking for sessions closed twice was quadratic).
"$ATTEND" init "$tmp/r.db" || exit 2
printf 'kind,start,end,session,name\nhalf_term,2024-09-02,2024-10-25,,Autumn 1\nclosure,2024-09-05,9999-12-31,,forever\n' \
	>"$tmp/forever.csv"
expect "closure to 9999" 1 "9999-12-31 is in a later school year" -- import "$tmp/r.db" "$tmp/forever.csv"
awk 'BEGIN { print "kind,start,end,session,name"; for (y = 3000; y < 10000; y++) printf "closure,%d-09-01,%d-09-07,,x\n", y, y }' \
	>"$tmp/years.csv"
expect "7000 closures" 0 "" -- import "$tmp/r.db" "$tmp/years.csv"

summary regress
