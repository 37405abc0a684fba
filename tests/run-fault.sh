#!/bin/sh
# Fault injection (issue 13): attend linked with tests/fault/ (a counting allocator and a SQLite
# VFS that fails writes) runs a compile, a small run, an import, an amendment and a replay once
# per failure point:
#
#   ATTEND_FAIL_ALLOC=N   the Nth allocation made by attend's code fails
#   ATTEND_FAIL_WRITE=N   the Nth write, sync or truncate of the register fails, and every later one
#   ATTEND_FAIL_SQLITE_ALLOC=N   the Nth allocation SQLite makes fails
#
# Each must end cleanly: exit 0 with the output and register of a run without faults, or a
# nonzero exit (2 for a failed write) with a message saying why and the register as it was;
# never a crash, a sanitizer report or a half-written register. Each sweep tries at most
# FAULT_MAX (default 100) failure points, stepping through N with a stride when there are more.
#
#   tests/run-fault.sh build/fault/attend
. tests/lib.sh
FAULT_MAX=${FAULT_MAX:-100}
D=tests/scenarios/data
START=$tmp/start.db W=$tmp/w.db
A=$tmp/p.apc
# The register's content, less the wall-clock times a replay records.
content() { sqlite3 "$1" .dump | sed 's/[0-9-]\{10\}T[0-9:]\{8\}/TIME/g' | cksum; }

# attempt VAR N ARGS...: attend ARGS on a fresh copy of START with the Nth allocation or write failing.
attempt() {
	var=$1 n=$2
	shift 2
	rm -f "$W" "$W-wal" "$W-shm" "$tmp/count"
	cp "$START" "$W"
	env "$var=$n" ATTEND_FAULT_COUNT="$tmp/count" "$ATTEND" "$@" >"$tmp/out" 2>"$tmp/err"
}

# judge VAR N RC: one attempt's outcome against the rules above.
judge() {
	var=$1 n=$2 rc=$3
	where="$name, $var=$n"
	if grep -q "Sanitizer\|runtime error" "$tmp/err"; then
		fail "$where: $(grep -m1 "Sanitizer\|runtime error" "$tmp/err")"
	elif [ "$rc" = 0 ]; then
		cmp -s "$tmp/out" "$tmp/ref.out" && [ "$(content "$W")" = "$ref_sum" ] && ok ||
			fail "$where: exit 0 with different output or register"
	elif [ "$(content "$W")" != "$start_sum" ]; then
		fail "$where: exit $rc and the register changed"
	elif [ "$var" != ATTEND_FAIL_WRITE ]; then
		{ [ "$rc" = 1 ] || [ "$rc" = 2 ]; } && grep -q "out of memory\|Cannot allocate memory" "$tmp/err" && ok ||
			fail "$where: exit $rc: $(head -c 300 "$tmp/err")"
	else
		[ "$rc" = 2 ] && grep -q "I/O error" "$tmp/err" && ok || fail "$where: exit $rc: $(head -c 300 "$tmp/err")"
	fi
}

# sweep VAR NAME ARGS...: counts the allocations or writes of attend ARGS, then fails each in turn.
sweep() {
	var=$1 name=$2
	shift 2
	attempt "$var" 0 "$@" || { fail "$name: fails with no fault: $(head -c 300 "$tmp/err")"; return; }
	cp "$tmp/out" "$tmp/ref.out"
	ref_sum=$(content "$W") start_sum=$(content "$START")
	case $var in
	ATTEND_FAIL_ALLOC) total=$(awk '{ print $2 }' "$tmp/count") kind=allocations ;;
	ATTEND_FAIL_WRITE) total=$(awk '{ print $4 }' "$tmp/count") kind=writes ;;
	*) total=$(awk '{ print $6 }' "$tmp/count") kind="SQLite allocations" ;;
	esac
	[ "$total" -gt 0 ] || { fail "$name: no $var point to fail"; return; }
	step=$(( (total + FAULT_MAX - 1) / FAULT_MAX ))
	n=1 tried=0
	while [ "$n" -le "$total" ]; do
		attempt "$var" "$n" "$@"
		judge "$var" "$n" $?
		n=$((n + step)) tried=$((tried + 1))
	done
	echo "fault: $name: $total $kind, $tried failed in turn (1, $((1 + step)), $((1 + 2 * step)), ...)"
}

# Two registers: calendar and pupils (to import into); and with marks (to amend, replay and run).
"$ATTEND" init "$tmp/empty.db" && "$ATTEND" import "$tmp/empty.db" $D/calendar.csv $D/pupils.csv >/dev/null 2>&1 &&
	head -n 41 $D/marks.csv >"$tmp/marks.csv" && cp "$tmp/empty.db" "$tmp/marked.db" &&
	"$ATTEND" import "$tmp/marked.db" "$tmp/marks.csv" >/dev/null 2>&1 &&
	"$ATTEND" compile policies/russell-street.policy -o "$A" || { echo "FAIL: cannot build the register"; exit 1; }

START=$tmp/empty.db
sweep ATTEND_FAIL_ALLOC compile compile policies/russell-street.policy -o "$tmp/out.apc"
for var in ATTEND_FAIL_ALLOC ATTEND_FAIL_WRITE ATTEND_FAIL_SQLITE_ALLOC; do
	START=$tmp/empty.db
	sweep $var import import "$W" "$tmp/marks.csv"
	START=$tmp/marked.db
	sweep $var amend amend "$W" --upn T100000000001 --date 2024-09-04 --session AM --code '\' --reason "GP letter" \
		--by Office --on 2024-09-13
	sweep $var replay replay "$A" --db "$W" --from 2024-09-03 --to 2024-09-06
done
for var in ATTEND_FAIL_ALLOC ATTEND_FAIL_SQLITE_ALLOC; do
	sweep $var run run "$A" --db "$W" --as-of 2024-09-13
done

summary fault
