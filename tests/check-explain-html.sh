#!/bin/sh
# attend explain --format html: one self-contained page (no script, no other file) with the pupil's
# school year as an SVG strip: a cell per school session of the year (the example's 203), coloured
# by the mark's category, and the windows that decided the outcome outlined and listed. When
# Debian's chromium is installed, a real browser parses the page and renders it to a PNG.
#
#   tests/check-explain-html.sh ATTEND
. tests/lib.sh
fail() { echo "FAIL: explain html: $*"; exit 1; }

"$ATTEND" init "$tmp/r.db" >/dev/null && "$ATTEND" import "$tmp/r.db" examples/calendar.csv examples/pupils.csv \
	examples/marks.csv >/dev/null 2>&1 || fail "cannot build the register"
page=$tmp/iqbal.html
"$ATTEND" explain policies/russell-street.policy --db "$tmp/r.db" --pupil M999200123009 --as-of 2025-02-14 \
	--format html -o "$page" || fail "exit status $?"

check_page() { # file
	grep -q '<script' "$1" && fail "$1 holds a script"
	grep -Eq '<(link|img|iframe)|src=|href=' "$1" && fail "$1 refers to another file"
	[ "$(grep -c '<svg' "$1")" -eq 1 ] || fail "$1: expected one SVG strip"
	# 203 school sessions to 14 February; Zain Iqbal's holiday (G, unauthorised) is 10 of them.
	[ "$(grep -c '<rect x=.*<title>' "$1")" -eq 203 ] || fail "$1: not a cell per school session"
	[ "$(grep -c 'fill="#c62828"' "$1")" -eq 10 ] || fail "$1: not 10 unauthorised sessions"
	grep -q '<title>2025-01-20 AM: G</title>' "$1" || fail "$1: the holiday's first session is not G"
	grep -q 'class="window w1"' "$1" || fail "$1: no window outlined"
}
case $(head -c 15 "$page") in '<!DOCTYPE html>') ;; *) fail "not an HTML document" ;; esac
check_page "$page"
grep -q '<li>Penalty notice: penalty sessions in the last 10 school weeks, 25 November 2024 to 14 February 2025</li>' \
	"$page" || fail "the penalty notice's window is not listed"
grep -q 'Stage Three: attendance meeting' "$page" || fail "the stage is not shown"
# A pupil the register does not have is a usage error, and writes no page.
"$ATTEND" explain policies/russell-street.policy --db "$tmp/r.db" --pupil NOSUCH --format html -o "$tmp/none.html" \
	2>/dev/null
[ $? -eq 2 ] || fail "an unknown pupil does not exit 2"

. tests/browser.sh
if [ -n "$browser" ]; then
	browser_dom "$page" "$tmp/dom.html"
	check_page "$tmp/dom.html"
	browser_png "$page" "$tmp/page.png" 1100,900
	echo "explain html: checked; chromium parsed and rendered it"
else
	echo "explain html: checked (no chromium: not rendered)"
fi
