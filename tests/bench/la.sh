#!/bin/sh
# The local authority benchmark (docs/la.md, docs/performance.md): generates SCHOOLS schools with PUPILS
# pupils over a school year (default 150 and 60,000; tests/bench/gen_la.c) into bench-data/la/, imports
# every register, then times `attend la validate`, `la run`, `la replay` (both cores), `la stats` and
# `la report` over all of them.
#
#   tests/bench/la.sh BUILD_DIR [SCHOOLS] [PUPILS]
#
# Targets: run-all under 1 s, validate-all under 2 s, replay-all of the year under 30 s.
set -eu
build=${1:?usage: tests/bench/la.sh BUILD_DIR [SCHOOLS] [PUPILS]}
schools=${2:-150}
pupils=${3:-60000}
attend=$build/attend
data=bench-data/la
rm -rf "$data"
mkdir -p "$data"

now() { date +%s.%N; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

t0=$(now)
"$build/bench/gen_la" "$data" "$schools" "$pupils"
cp policies/england-2024.policy "$data/"
t1=$(now)
marks=$(cat "$data"/*/marks.csv | wc -l)
echo "la generate: $schools schools, $pupils pupils, $((marks - schools)) marks in $(elapsed "$t0" "$t1") s"

# Each school's register: init, then its school, calendar, pupils and marks; two schools at a time.
t0=$(now)
ls "$data" | grep -E '^[0-9]{6}$' | xargs -P 2 -I URN sh -c \
	"'$attend' init '$data/URN.db' && '$attend' import '$data/URN.db' '$data/URN/school.csv' \
	 '$data/URN/calendar.csv' '$data/URN/pupils.csv' '$data/URN/marks.csv' 2>/dev/null"
t1=$(now)
echo "la import: $schools registers in $(elapsed "$t0" "$t1") s ($(du -cm "$data"/*.db | tail -n 1 | cut -f1) MB)"

timed3() { # label command...: the median of three runs
	label=$1
	shift
	runs=""
	for i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null
		t1=$(now)
		runs="$runs $(elapsed "$t0" "$t1")"
	done
	# shellcheck disable=SC2086
	echo "$label: runs$runs s; median $(median3 $runs) s"
}

m=$data/la.csv
timed3 "la validate ($schools policies against england-2024)" \
	sh -c "'$attend' la validate '$m' --against '$data/england-2024.policy' --on 2025-07-22 --format csv -o '$data/validate.csv' || [ \$? = 1 ]"
echo "  findings: $(($(wc -l < "$data/validate.csv") - 1))"
timed3 "la run ($schools schools, CSV to a file)" "$attend" la run "$m" --as-of 2025-07-22 --format csv -o "$data/run.csv"
echo "  records: $(($(wc -l < "$data/run.csv") - 1))"
# An authority compiles its schools' policies once and runs them daily: the same run over .apc files.
for f in "$data"/[0-9]*.policy; do "$attend" compile -I "$data" "$f" -o "${f%.policy}.apc"; done
sed 's/\.policy,/.apc,/' "$m" >"$data/la-apc.csv"
timed3 "la run ($schools schools, compiled policies (.apc), CSV to a file)" \
	"$attend" la run "$data/la-apc.csv" --as-of 2025-07-22 --format csv -o "$data/run-apc.csv"
cmp -s "$data/run.csv" "$data/run-apc.csv" || echo "  DIFFERENT records from the .policy run"
timed3 "la stats" "$attend" la stats "$m" --to 2025-07-22 --format csv -o "$data/stats.csv"
timed3 "la report (HTML)" "$attend" la report "$m" --as-of 2025-07-22 -o "$data/report.html"
echo "  report: $(du -k "$data/report.html" | cut -f1) kB"

# The same authority in one register holding every school (docs/la.md): each school's files imported
# with --school, one school after another (one writer at a time), and a manifest pointing every school at it.
t0=$(now)
"$attend" init "$data/all.db"
for urn in $(ls "$data" | grep -E '^[0-9]{6}$'); do
	"$attend" import "$data/all.db" "$data/$urn/school.csv" 2>/dev/null
	"$attend" import --school "$urn" "$data/all.db" "$data/$urn/calendar.csv" "$data/$urn/pupils.csv" \
		"$data/$urn/marks.csv" 2>/dev/null
done
t1=$(now)
echo "la import (one register): $schools schools in $(elapsed "$t0" "$t1") s ($(du -m "$data/all.db" | cut -f1) MB)"
sed 's/^\([0-9]\{6\}\),\([^,]*\),[^,]*\.db,/\1,\2,all.db,/' "$m" >"$data/la-one.csv"
timed3 "la run ($schools schools in one register, CSV to a file)" \
	"$attend" la run "$data/la-one.csv" --as-of 2025-07-22 --format csv -o "$data/run-one.csv"
if cmp -s "$data/run.csv" "$data/run-one.csv"; then echo "  the same records as with a register per school"
else echo "  DIFFERENT records from a register per school"; fi
t0=$(now)
"$attend" la replay "$data/la-one.csv" --from 2024-08-01 --to 2025-07-31 >/dev/null
t1=$(now)
echo "la replay (the year, $schools schools in one register, both cores): $(elapsed "$t0" "$t1") s"

# The replay records into the registers: the year, once, on both cores (and once on one, for comparison, on copies).
mkdir -p "$data/one"
cp "$data"/*.db "$data"/*.policy "$m" "$data/one/"
t0=$(now)
"$attend" la replay "$m" --from 2024-08-01 --to 2025-07-31 >"$data/replay.txt"
t1=$(now)
decisions=$(awk '{ gsub(/[()]/, ""); for (i = 1; i < NF; i++) if ($(i + 1) == "decisions") s += $i } END { print s }' "$data/replay.txt")
echo "la replay (the year, $schools schools, both cores): $(elapsed "$t0" "$t1") s, $decisions decisions recorded"
t0=$(now)
"$attend" la replay "$data/one/la.csv" --from 2024-08-01 --to 2025-07-31 --jobs 1 >/dev/null
t1=$(now)
echo "la replay (the same on one core, --jobs 1): $(elapsed "$t0" "$t1") s"
