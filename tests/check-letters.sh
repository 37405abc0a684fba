#!/bin/sh
# attend letters over the example register with its parents: one letter per household (parents at
# the same address share one), each with the letterhead, the parents' names and address, the
# salutation, the figures and the signatory; the print run holds every letter, a page each. When
# Debian's chromium is installed, a real browser prints the run to PDF, which must have one page per
# letter, and renders a letter to a PNG; CI does not depend on it.
#
#   tests/check-letters.sh ATTEND
. tests/lib.sh
fail() { echo "FAIL: letters: $*"; exit 1; }
POLICY=policies/russell-street.policy
out=$tmp/letters

"$ATTEND" init "$tmp/r.db" && "$ATTEND" import "$tmp/r.db" examples/calendar.csv examples/pupils.csv \
	examples/marks.csv examples/parents.csv >"$tmp/import.log" 2>&1 || fail "cannot build the register"
"$ATTEND" letters $POLICY --db "$tmp/r.db" --as-of 2025-02-14 --out "$out" >"$tmp/list" || fail "exit status $?"

# 14 pupils have a letter due (examples/README.md); Ellis Quinn's parents live apart: 15 letters.
n=$(grep -c '^[A-Z0-9]*: ' "$tmp/list")
[ "$n" -eq 15 ] || fail "expected 15 letters listed, got $n"
tail -n 1 "$tmp/list" | grep -qx 'print run: print-run.html, 15 letters' || fail "no print run line"
[ "$(grep -c '<section class="letter">' "$out/print-run.html")" -eq 15 ] || fail "the print run lacks letters"
[ -e "$out/print-run.html.part" ] && fail "the unfinished print run was left behind"

# Maisie Harper: to her mother at home, with the figures, signed.
letter=$out/Y999200123008-attendance_contract.txt
for want in 'Russell Street School' 'Telephone: 01632 960 000' 'Kerry Harper' '8 Damson Lane' \
	'Dear Kerry Harper,' 'Pupil: Maisie Harper' '  Sessions possible       203' '  Sessions missed         109' \
	'  Attendance           46.31%' 'Ms J. Example' 'Senior Attendance Champion'; do
	grep -qxF "$want" "$letter" 2>/dev/null || grep -qF "$want" "$letter" || fail "$letter lacks: $want"
done
grep -q '{' "$letter" && fail "$letter keeps a placeholder"
# Two parents at one address share a letter; two at different addresses get one each.
grep -qx 'Dear Farah Iqbal and Tariq Iqbal,' "$out/M999200123009-attendance_meeting.txt" || fail "Iqbal: not to both"
grep -qx 'Dear Dana Quinn,' "$out/L999200122017-attendance_contract.txt" || fail "Quinn: first letter"
grep -qx 'Dear Sam Quinn,' "$out/L999200122017-attendance_contract-2.txt" || fail "Quinn: second letter"
grep -q '<table class="figures">' "$out/Y999200123008-attendance_contract.html" || fail "no figures table in HTML"

# A print run that cannot be written is a failure, not a quiet success.
mkdir -p "$tmp/blocked/print-run.html/x"
"$ATTEND" letters $POLICY --db "$tmp/r.db" --as-of 2025-02-14 --out "$tmp/blocked" >/dev/null 2>"$tmp/err" &&
	fail "exit 0 when the print run could not be written"
grep -q 'cannot write .*print-run.html' "$tmp/err" || fail "the failure does not name the print run"

. tests/browser.sh
if [ -z "$browser" ]; then
	echo "letters: checked (no chromium: not printed)"
	exit 0
fi
chromium_run --print-to-pdf="$tmp/run.pdf" "file://$out/print-run.html" >/dev/null 2>&1 ||
	fail "chromium could not print the run"
pages=$(grep -a -o '/Type */Pages*' "$tmp/run.pdf" | grep -c 'Page$')
[ "$pages" -eq 15 ] || fail "the print run prints on $pages pages, not one per letter (15)"
browser_png "$out/Y999200123008-attendance_contract.html" "$tmp/letter.png" 850,1180
echo "letters: checked; chromium printed the run on $pages pages"
