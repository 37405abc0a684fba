#!/bin/sh
# Import checks that golden scenarios cannot express: the database is byte for
# byte unchanged after a refused import (a checksum of its dump), and every
# output is valid UTF-8 whatever bytes the database holds.
#
#   tests/import/run.sh ATTEND
. tests/lib.sh
DB=$tmp/r.db
S=tests/scenarios/data

# A refused import leaves the database exactly as it was.
refused() { # description, then import arguments
	what=$1; shift
	before=$(checksum "$DB")
	if "$ATTEND" import "$@" >"$tmp/out" 2>&1; then
		fail "$what: the import was not refused"; cat "$tmp/out"; return
	fi
	[ "$(checksum "$DB")" = "$before" ] && ok || fail "$what: the database changed"
}

# Every byte of a file is UTF-8 (glibc's iconv refuses anything else).
utf8() { # description, file
	if iconv -f UTF-8 -t UTF-8 "$2" >/dev/null 2>&1; then ok; else fail "$1: output is not UTF-8"; fi
}

"$ATTEND" init "$DB" >/dev/null
"$ATTEND" import "$DB" $S/calendar.csv $S/pupils.csv $S/marks.csv >/dev/null 2>&1 || fail "setup import"

refused "not UTF-8" "$DB" tests/import/data/pupils-1252.csv
for f in tests/import/refused/*; do
	[ -e "$f" ] || continue
	case $f in *iso-date*) refused "$f" --date-format dd/mm/yyyy "$DB" "$f" ;; *) refused "$f" "$DB" "$f" ;; esac
done

# A byte that is not UTF-8, written straight into the database by SQL.
sqlite3 "$DB" "UPDATE pupils SET surname = CAST(X'4DFC6C6C6572' AS TEXT), forename = CAST(X'4A8080' AS TEXT)
  WHERE upn = 'T100000000001'" || fail "SQL update"
P=policies/russell-street.policy
for fmt in text json csv; do
	"$ATTEND" run $P --db "$DB" --as-of 2024-09-13 --format $fmt >"$tmp/run.$fmt" 2>&1
	utf8 "run --format $fmt" "$tmp/run.$fmt"
	grep -q 'M?ller\|M\\ufffdller\|Mller' "$tmp/run.$fmt" || fail "run --format $fmt: the pupil is missing"
done
"$ATTEND" explain $P --db "$DB" --as-of 2024-09-13 --pupil T100000000001 >"$tmp/explain" 2>&1
utf8 explain "$tmp/explain"
"$ATTEND" letters $P --db "$DB" --as-of 2024-09-13 --out "$tmp/letters" >/dev/null 2>&1
for f in "$tmp"/letters/*; do [ -e "$f" ] && utf8 "letters $f" "$f"; done
"$ATTEND" history "$DB" --upn T100000000001 >"$tmp/history" 2>&1
utf8 history "$tmp/history"

# The Done-when: a CTF and a wide grid written from the published structure (not from
# attend's importer) give the same `attend run` as the same register in attend's own CSV
# (make-equivalents.py decodes the CTF independently with Python's standard library).
D=tests/import/data
register() { # name, then files to import after the calendar
	name=$1; shift
	rm -f "$tmp/$name.db"
	"$ATTEND" init "$tmp/$name.db" >/dev/null
	"$ATTEND" import "$@" >"$tmp/$name.log" 2>&1 || { fail "$name: import"; cat "$tmp/$name.log"; }
}
same_run() { # description, as-of, register a, register b
	"$ATTEND" run $P --db "$tmp/$3.db" --as-of "$2" --format csv >"$tmp/a.out" 2>&1
	"$ATTEND" run $P --db "$tmp/$4.db" --as-of "$2" --format csv >"$tmp/b.out" 2>&1
	if [ "$(wc -l <"$tmp/a.out")" -gt 1 ] && cmp -s "$tmp/a.out" "$tmp/b.out"; then ok; else
		fail "$1 as of $2"; diff "$tmp/a.out" "$tmp/b.out" | head -n 10; fi
}
register ctf "$tmp/ctf.db" $D/ctf-calendar.csv $D/small.ctf.xml
register csv "$tmp/csv.db" $D/ctf-calendar.csv $D/small-pupils.csv $D/small-marks.csv
same_run "CTF = CSV" 2024-07-19 ctf csv
same_run "CTF = CSV" 2024-09-20 ctf csv
grep -q "small.ctf.xml:186: warning: SessionsAttended: pupil N999200123002 (BAKER, Poppy), 2024/25 at 999/2001: the file says 26, the marks give 24" "$tmp/ctf.log" && ok || fail "CTF totals warning"
register fortnight "$tmp/fortnight.db" $D/ctf-calendar.csv $D/small-pupils.csv $D/small-marks-grid.csv
register grid "$tmp/grid.db" $D/ctf-calendar.csv $D/small-pupils.csv $D/grid.csv
register grid_sessions "$tmp/grid_sessions.db" $D/ctf-calendar.csv $D/small-pupils.csv $D/grid_sessions.csv
register long "$tmp/long.db" $D/ctf-calendar.csv $D/small-pupils.csv
"$ATTEND" import --columns $D/long.columns "$tmp/long.db" $D/long.csv >"$tmp/long.log" 2>&1 || fail "long: import"
same_run "grid = CSV" 2024-09-20 grid fortnight
same_run "grid by session = CSV" 2024-09-20 grid_sessions fortnight
same_run "long export mapped = CSV" 2024-09-20 long fortnight
# The calendar from a term-dates file as LAs publish them and a closures file is the same calendar.
register terms "$tmp/terms.db" $D/term-dates.csv $D/closures.csv $D/small.ctf.xml
same_run "term dates = calendar CSV" 2024-07-19 terms ctf
same_run "term dates = calendar CSV" 2024-09-20 terms ctf
[ "$(sqlite3 "$tmp/terms.db" 'SELECT school_year, number, start, "end" FROM half_terms; SELECT * FROM closures')" = \
  "$(sqlite3 "$tmp/ctf.db" 'SELECT school_year, number, start, "end" FROM half_terms; SELECT * FROM closures')" ] && ok || fail "term dates: calendar tables differ"
# Re-importing the CTF changes nothing.
before=$(checksum "$tmp/ctf.db")
"$ATTEND" import "$tmp/ctf.db" $D/small.ctf.xml >"$tmp/again.log" 2>&1
grep -q "marks: 0 new, 148 unchanged, 0 amended, 0 refused" "$tmp/again.log" && [ "$(checksum "$tmp/ctf.db")" = "$before" ] &&
	ok || { fail "CTF re-import"; cat "$tmp/again.log"; }

summary import
