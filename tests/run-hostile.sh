#!/bin/sh
# The register keeps its promises against any writer (docs/schema.md, "What the register
# refuses"): every statement in tests/hostile/statements.sql, run with the sqlite3 shell,
# is refused and leaves the database byte-for-byte as it was. Then: a code changed by hand
# after a forged amendment is caught on open and by check-register; reads go on while a
# writer holds the lock, and a second writer waits for it; a crashed writer's journal does
# not stop read-only commands.
#
#   tests/run-hostile.sh build/attend
. tests/lib.sh
D=tests/scenarios/data
P=policies/russell-street.policy
DB=$tmp/r.db

printf 'upn,parent_id,name\nT100000000001,P1,Pat Nine\n' >"$tmp/parents.csv"
"$ATTEND" init "$DB" && "$ATTEND" import "$DB" $D/calendar.csv $D/pupils.csv $D/marks.csv "$tmp/parents.csv" 2>/dev/null &&
"$ATTEND" replay $P --db "$DB" --from 2024-09-03 --to 2024-09-13 >/dev/null 2>&1 &&
"$ATTEND" amend "$DB" --upn T100000000001 --date 2024-09-12 --session AM --code I --reason "GP letter" --by Office \
	--on 2024-09-13 >/dev/null || { echo "FAIL: cannot build the register"; exit 1; }
for t in marks pupils amendments decisions parents; do
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM $t")" -gt 0 ] || { echo "FAIL: no rows in $t to attack"; exit 1; }
done
before=$(sqlite3 "$DB" .dump | cksum)

while IFS= read -r stmt; do
	case $stmt in ''|--*) continue ;; esac
	if sqlite3 -bail "$DB" "$stmt" >/dev/null 2>"$tmp/err"; then
		fail "accepted: $stmt"
	elif [ "$(sqlite3 "$DB" .dump | cksum)" != "$before" ]; then
		fail "refused but changed the database: $stmt"
	else
		ok
	fi
done <tests/hostile/statements.sql

# A forged amendment lets the code change, but pupil_marks is then out of step: runs refuse
# until check-register --repair rebuilds it from marks.
sqlite3 "$DB" "INSERT INTO amendments (pupil_id, date, session, original_code, amended_code, reason, amended_on,
	amended_by) SELECT pupil_id, date, session, code, 'G', 'by hand', '2024-09-13', 'sql' FROM marks
	WHERE date = '2024-09-11' AND session = 'PM' AND pupil_id = 1;
	UPDATE marks SET code = 'G' WHERE date = '2024-09-11' AND session = 'PM' AND pupil_id = 1;" || fail "forged amendment"
"$ATTEND" run $P --db "$DB" --as-of 2024-09-13 >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "out of step" "$tmp/err" && ok || fail "run after a hand-changed code: $(cat "$tmp/err")"
"$ATTEND" check-register "$DB" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q 'pupil T100000000001, 2024-09-11 PM: marks has "G", pupil_marks has' "$tmp/out" && ok ||
	fail "check-register: $(cat "$tmp/out")"
"$ATTEND" check-register --repair "$DB" >/dev/null 2>&1 && "$ATTEND" check-register "$DB" >/dev/null 2>&1 &&
	"$ATTEND" run $P --db "$DB" --as-of 2024-09-13 >/dev/null 2>&1 && ok || fail "check-register --repair"

# A mark added by hand, for a session with none, is caught on open the same way; an import
# afterwards is refused too, and adds no mark of its own.
sqlite3 "$DB" "INSERT INTO marks (pupil_id, date, session, code) SELECT id, '2025-01-06', 'AM', 'O'
	FROM pupils WHERE upn = 'T100000000002'" || fail "a mark added by hand"
"$ATTEND" run $P --db "$DB" --as-of 2025-01-06 >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "changed, added or removed outside attend" "$tmp/err" && ok ||
	fail "run after a mark added by hand: $(cat "$tmp/err")"
printf 'upn,date,session,code\nT100000000001,2025-01-06,AM,/\n' >"$tmp/jan.csv"
"$ATTEND" import "$DB" "$tmp/jan.csv" >/dev/null 2>&1
[ $? = 2 ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM marks WHERE date = '2025-01-06'")" = 1 ] && ok ||
	fail "import into a register with a mark added by hand"
"$ATTEND" check-register "$DB" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q 'pupil T100000000002, 2025-01-06 AM: marks has "O", pupil_marks has no mark' "$tmp/out" &&
	ok || fail "check-register after a mark added by hand: $(cat "$tmp/out")"
"$ATTEND" check-register --repair "$DB" >/dev/null 2>&1 && "$ATTEND" import "$DB" "$tmp/jan.csv" >/dev/null 2>&1 &&
	"$ATTEND" check-register "$DB" >/dev/null 2>&1 && "$ATTEND" run $P --db "$DB" --as-of 2025-01-06 >/dev/null 2>&1 &&
	ok || fail "repair, then an import, after a mark added by hand"

# A writer holds the lock for 3 s: a run reads meanwhile (WAL); a second import waits and succeeds.
printf 'upn,surname,forename,year_group\nT100000000099,Late,Lou,5\n' >"$tmp/more.csv"
{ echo "BEGIN IMMEDIATE; UPDATE pupils SET surname = surname;"; sleep 3; echo "COMMIT;"; } | sqlite3 "$DB" &
holder=$!
sleep 1
"$ATTEND" run $P --db "$DB" --as-of 2024-09-13 >/dev/null 2>"$tmp/err" && ok || fail "run while locked: $(cat "$tmp/err")"
"$ATTEND" import "$DB" "$tmp/more.csv" 2>"$tmp/err" && ok || fail "import while locked: $(cat "$tmp/err")"
kill -0 $holder 2>/dev/null && fail "the import did not wait for the writer"
wait $holder

# A writer killed mid-transaction (WAL, and an old register with a rollback journal): read-only
# commands still work.
for mode in wal delete; do
	sqlite3 "$DB" "PRAGMA journal_mode = $mode" >/dev/null
	rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
	sqlite3 "$DB" <"$tmp/fifo" >/dev/null &
	writer=$!
	exec 3>"$tmp/fifo"
	echo "BEGIN IMMEDIATE; UPDATE pupils SET surname = 'Crashed';" >&3
	sleep 1
	kill -9 $writer 2>/dev/null
	wait $writer 2>/dev/null
	exec 3>&-
	"$ATTEND" run $P --db "$DB" --as-of 2024-09-13 >"$tmp/out" 2>"$tmp/err" && ! grep -q Crashed "$tmp/out" && ok ||
		fail "run after a crashed writer ($mode journal): $(cat "$tmp/err")"
done

summary hostile
