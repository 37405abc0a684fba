#!/bin/sh
# attend la report: the page is self-contained HTML (no script, no external file), with a section,
# a link and a chart per school. When Debian's chromium is installed, a real browser also parses the
# page (--dump-dom) and renders it to a PNG; CI does not depend on it.
#
#   tests/check-report.sh ATTEND
. tests/lib.sh
D=tests/scenarios/data/la
fail() { echo "FAIL: la report: $*"; exit 1; }

cp "$D/la.csv" policies/kildwick.policy policies/russell-street.policy policies/england-2024.policy "$tmp/"
for s in a:100001 b:100002; do
	db="$tmp/${s#*:}.db"
	"$ATTEND" init "$db" && "$ATTEND" import "$db" "$D/school-${s%%:*}.csv" "$D/calendar-${s%%:*}.csv" \
		"$D/pupils-${s%%:*}.csv" "$D/marks-${s%%:*}.csv" >"$tmp/import.log" 2>&1 ||
		fail "cannot build the registers: $(cat "$tmp/import.log")"
done
page="$tmp/report.html"
"$ATTEND" la report "$tmp/la.csv" --as-of 2025-02-14 -o "$page" || fail "exit status $?"

check_structure() { # file: the HTML as written, or as a browser parsed it
	grep -q '<script' "$1" && fail "$1 holds a script"
	grep -Eq '<(link|img|iframe)|src=|href="(https?:)?//' "$1" && fail "$1 refers to another file"
	for urn in 100001 100002; do
		grep -q "<section id=\"school-$urn\">" "$1" || fail "$1: no section for $urn"
		grep -q "<a href=\"#school-$urn\">" "$1" || fail "$1: no link to $urn"
	done
	[ "$(grep -c '<svg' "$1")" -eq 3 ] || fail "$1: expected 3 charts (the LA and each school)"
	grep -q 'Kildwick CE Primary' "$1" && grep -q 'Russell Street School' "$1" || fail "$1: a school is not named"
}
case $(head -c 15 "$page") in '<!DOCTYPE html>') ;; *) fail "not an HTML document" ;; esac
tail -n 1 "$page" | grep -q '</html>' || fail "the page is cut short"
check_structure "$page"
# Lowest attendance first: Russell Street (92.23%), then Kildwick (92.74%).
grep -o 'href="#school-[0-9]*"' "$page" | head -n 2 | tr '\n' ' ' | grep -q '100002.*100001' ||
	fail "schools are not sorted by attendance, lowest first"

. tests/browser.sh
if [ -n "$browser" ]; then
	browser_dom "$page" "$tmp/dom.html"
	check_structure "$tmp/dom.html"
	browser_png "$page" "$tmp/report.png" 1000,2400
	echo "la report: structure checked; chromium parsed and rendered it"
else
	echo "la report: structure checked (no chromium: not rendered)"
fi
