#!/bin/sh
# The register benchmark: generates PUPILS pupils x 380 sessions (default
# 100,000 = 38 million marks) into bench-data/, times `attend init` and
# `attend import` of calendar, pupils and marks, then a plain-SQL baseline.
#
#   tests/bench/run.sh BUILD_DIR [PUPILS]
set -eu
build=${1:?usage: tests/bench/run.sh BUILD_DIR [PUPILS]}
pupils=${2:-100000}
attend=$build/attend
gen=$build/bench/gen_register
data=bench-data
db=$data/register.db
mkdir -p "$data"
rm -f "$db" "$db-journal"

now() { date +%s.%N; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
# Runs a command, under /usr/bin/time -v when present to get its peak memory.
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$@" 2>"$data/time.log" >/dev/null || { cat "$data/time.log"; exit 1; }
		peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$data/time.log")
	else
		"$@" >/dev/null
		peak=
	fi
}

t0=$(now)
"$gen" "$data" "$pupils"
t1=$(now)
marks=$(($(wc -l < "$data/marks.csv") - 1))
echo "generate: $pupils pupils, $marks marks in $(elapsed "$t0" "$t1") s"

t0=$(now)
timed "$attend" init "$db"
timed "$attend" import "$db" "$data/calendar.csv"
timed "$attend" import "$db" "$data/pupils.csv"
t1=$(now)
echo "init + calendar + pupils: $(elapsed "$t0" "$t1") s"

t0=$(now)
timed "$attend" import "$db" "$data/marks.csv"
t1=$(now)
secs=$(elapsed "$t0" "$t1")
echo "import marks: $marks marks in $secs s = $(awk "BEGIN { printf \"%d\", $marks / $secs }") marks/s${peak:+, peak memory $((peak / 1024)) MB}"
echo "register: $(du -m "$db" | cut -f1) MB"

# Baseline: the per-pupil figures as an analyst would get them with plain SQL.
t0=$(now)
sqlite3 "$db" >/dev/null <<'SQL'
SELECT pupil_id,
       sum(code NOT IN ('X','Q','Y1','Y2','Y3','Y4','Y5','Y6','Y7','D','Z','#')) AS possible,
       sum(code IN ('C','C1','C2','E','I','J1','M','R','S','T')) AS authorised,
       sum(code IN ('G','N','O','U')) AS unauthorised
FROM marks GROUP BY pupil_id;
SQL
t1=$(now)
echo "baseline sqlite3 query over marks: $(elapsed "$t0" "$t1") s"
base_secs=$(elapsed "$t0" "$t1")

# The policy run: open the register, evaluate every pupil, write every result
# as CSV to a file. Compiled once; the median of 5 runs is quoted.
"$attend" compile policies/russell-street.policy -o "$data/russell-street.apc"
runs=""
for i in 1 2 3 4 5; do
	t0=$(now)
	timed "$attend" run "$data/russell-street.apc" --db "$db" --as-of 2025-07-22 --format csv -o "$data/run.csv"
	t1=$(now)
	runs="$runs $(elapsed "$t0" "$t1")"
done
median=$(printf '%s\n' $runs | sort -n | sed -n 3p)
rows=$(($(wc -l < "$data/run.csv") - 1))
echo "policy run (Russell Street, $rows pupils, CSV to a file): runs$runs s; median $median s" \
     "= $(awk "BEGIN { printf \"%d\", $marks / $median }") marks/s${peak:+, peak memory $((peak / 1024)) MB}"
echo "ratio: the plain sqlite3 query takes $(awk "BEGIN { printf \"%.1f\", $base_secs / $median }")x as long as the policy run"

# The replay: every school day of the year in order, each evaluated with the history recorded so far
# and recorded (docs/history.md). On a copy of the register, so that the benchmark can be rerun.
# Target: under 60 s (docs/performance.md).
cp "$db" "$data/replay.db"
t0=$(now)
timed "$attend" replay "$data/russell-street.apc" --db "$data/replay.db" --from 2024-08-01 --to 2025-07-31
t1=$(now)
cpu=
if [ -n "$peak" ]; then
	user=$(sed -n 's/.*User time (seconds): //p' "$data/time.log")
	sys=$(sed -n 's/.*System time (seconds): //p' "$data/time.log")
	cpu=" ($user s user, $sys s system)"
fi
days=$(sqlite3 "$data/replay.db" "SELECT count(*) FROM history_days")
decisions=$(sqlite3 "$data/replay.db" "SELECT count(*) FROM decisions")
echo "replay (Russell Street, $days school days day by day, recording): $(elapsed "$t0" "$t1") s$cpu," \
     "$decisions decisions recorded${peak:+, peak memory $((peak / 1024)) MB}"
rm -f "$data/replay.db" "$data/replay.db-journal"
