#!/bin/sh
# The register benchmark (docs/performance.md). For each size (10,000 and
# 100,000 pupils; with BENCH_LARGE=1 also 1,000,000) it generates a school
# year of marks (380 sessions a pupil) into bench-data/N/, imports it, and
# times the policy run (CSV to a file) against the compute floor
# (tests/bench/floor.c: the same evaluation in plain C over arrays already
# in memory) in interleaved rounds. At 100,000 pupils it also times the
# plain sqlite3 baseline and the replay of the year. Then the Common Transfer
# File: a generated CTF of CTF_PUPILS pupils (default 100,000) with a school
# year of marks each (tests/bench/gen_ctf.py), imported into a fresh register,
# then imported again unchanged (the daily re-import: all comparison).
#
#   tests/bench/run.sh BUILD_DIR [PUPILS...]
#
# ATTEND_JOBS is passed on to attend (run, replay, import) when set. BENCH_REUSE=1 uses the
# registers an earlier run left in bench-data/ (upgraded if need be) instead of generating them;
# BENCH_LOCK=FILE holds a lock on FILE for the timed rounds only; BENCH_CTF=0 leaves out the CTF;
# BENCH_PREPARE=1 only generates and imports (to time them later with BENCH_REUSE=1).
set -eu
build=${1:?usage: tests/bench/run.sh BUILD_DIR [PUPILS...]}
shift
if [ $# -eq 0 ]; then
	set -- 10000 100000
	[ "${BENCH_LARGE:-0}" = 1 ] && set -- "$@" 1000000
fi
attend=$build/attend
rounds=5
mkdir -p bench-data
table=bench-data/scale.txt
: > "$table"

now() { date +%s.%N; }
elapsed() { awk "BEGIN { printf \"%.3f\", $2 - $1 }"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
# Runs a command, under /usr/bin/time -v when present to get its peak memory (MB) and CPU time.
timed() {
	log=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$@" 2>"$log" >/dev/null || { cat "$log"; exit 1; }
		peak=$(($(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log") / 1024))
		cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$log")
	else
		"$@" >/dev/null
		peak=?
		cpu=?
	fi
}

# One size: generate and import (kept in $data/import.txt). With BENCH_REUSE=1 a register
# already there from an earlier run (and its import figures) is used again.
prepare_size() {
	pupils=$1
	data=bench-data/$pupils
	db=$data/register.db
	mkdir -p "$data"
	if [ "${BENCH_REUSE:-0}" = 1 ] && [ -s "$data/import.rate" ] && "$attend" migrate "$db" >/dev/null 2>&1; then
		echo "[$pupils] register reused (BENCH_REUSE=1): $(du -m "$db" | cut -f1) MB; import as measured then:"
		cat "$data/import.txt"
		return
	fi
	rm -f "$db" "$db-journal" "$db-wal" "$db-shm" "$data/import.txt"
	t0=$(now)
	"$build/bench/gen_register" "$data" "$pupils"
	marks=$(($(wc -l < "$data/marks.csv") - 1))
	echo "[$pupils] generate: $marks marks in $(elapsed "$t0" "$(now)") s"
	timed "$data/time.log" "$attend" init "$db"
	timed "$data/time.log" "$attend" import "$db" "$data/calendar.csv"
	timed "$data/time.log" "$attend" import "$db" "$data/pupils.csv"
	t0=$(now)
	timed "$data/time.log" "$attend" import "$db" "$data/marks.csv"
	secs=$(elapsed "$t0" "$(now)")
	rate=$(awk "BEGIN { printf \"%d\", $marks / $secs }")
	echo "$marks $rate" > "$data/import.rate"
	echo "[$pupils] import marks: $secs s = $rate marks/s, peak memory $peak MB, CPU $cpu s" \
	     "($(awk "BEGIN { printf \"%d\", $marks / $cpu }") marks per CPU second)" | tee "$data/import.txt"
	echo "[$pupils] register: $(du -m "$db" | cut -f1) MB"
	rm -f "$data/marks.csv"
}

# One size: the run and the floor in interleaved rounds.
bench_size() {
	pupils=$1
	data=bench-data/$pupils
	db=$data/register.db
	read -r marks rate < "$data/import.rate"
	"$attend" compile policies/russell-street.policy -o "$data/russell-street.apc"
	runs= floors= cpus= floorcpus=
	i=0
	while [ $i -lt $rounds ]; do
		t0=$(now)
		timed "$data/time.log" "$attend" run "$data/russell-street.apc" --db "$db" --as-of 2025-07-22 \
			--format csv -o "$data/run.csv"
		runs="$runs $(elapsed "$t0" "$(now)")"
		cpus="$cpus $cpu"
		set -- $("$build/bench/floor" "$db" 2025-07-22 "$data/floor.csv")
		floors="$floors $1"
		floorcpus="$floorcpus $2"
		i=$((i + 1))
	done
	rows=$(($(wc -l < "$data/run.csv") - 1))
	[ "$rows" -eq "$pupils" ] || { echo "run wrote $rows pupils, not $pupils"; exit 1; }
	run=$(median $runs)
	floor=$(median $floors)
	runcpu=$(median $cpus)
	floorcpu=$(median $floorcpus)
	echo "[$pupils] policy run: runs$runs s (CPU$cpus s); median $run s; peak memory $peak MB"
	echo "[$pupils] compute floor: runs$floors s (CPU$floorcpus s); median $floor s"
	awk -v n="$pupils" -v m="$marks" -v r="$run" -v rs="$(spread $runs)" -v f="$floor" -v p="$peak" \
	    -v i="$rate" -v rc="$runcpu" -v fc="$floorcpu" \
	    'BEGIN { printf "| %d | %d | %d | %.3f (%s) | %.2f | %d | %.3f | **%.2fx** | %.2f / %.3f = %.2fx |\n",
	             n, m, i, r, rs, r * 1e6 / n, p, f, r / f, rc, fc, rc / fc }' >> "$table"
}

# At 100,000 pupils: the plain-SQL baseline over `marks` (kept from before the
# compact copy existed) and the replay of the year with recording.
bench_baselines() {
	data=bench-data/100000
	db=$data/register.db
	t0=$(now)
	sqlite3 "$db" >/dev/null <<'SQL'
SELECT pupil_id,
       sum(code NOT IN ('X','Q','Y1','Y2','Y3','Y4','Y5','Y6','Y7','D','Z','#')) AS possible,
       sum(code IN ('C','C1','C2','E','I','J1','M','R','S','T')) AS authorised,
       sum(code IN ('G','N','O','U')) AS unauthorised
FROM marks GROUP BY pupil_id;
SQL
	base=$(elapsed "$t0" "$(now)")
	t0=$(now)
	timed "$data/time.log" "$attend" run "$data/russell-street.apc" --db "$db" --as-of 2025-07-22 \
		--format csv -o "$data/run.csv"
	run=$(elapsed "$t0" "$(now)")
	echo "[100000] baseline sqlite3 query over marks: $base s; a policy run just after: $run s;" \
	     "the query takes $(awk "BEGIN { printf \"%.1f\", $base / $run }")x as long"

	cp "$db" "$data/replay.db"
	t0=$(now)
	timed "$data/time.log" "$attend" replay "$data/russell-street.apc" --db "$data/replay.db" \
		--from 2024-08-01 --to 2025-07-31
	secs=$(elapsed "$t0" "$(now)")
	days=$(sqlite3 "$data/replay.db" "SELECT count(*) FROM history_days")
	decisions=$(sqlite3 "$data/replay.db" "SELECT count(*) FROM decisions")
	echo "[100000] replay ($days school days day by day, recording): $secs s, CPU $cpu s," \
	     "$decisions decisions, peak memory $peak MB"
	rm -f "$data/replay.db" "$data/replay.db-journal" "$data/replay.db-wal" "$data/replay.db-shm"
}

# Compiling a policy: the median of 5, including starting the process.
bench_compile() {
	times=
	for i in 1 2 3 4 5; do
		t0=$(now)
		"$attend" compile policies/russell-street.policy -o bench-data/compile.apc
		times="$times $(elapsed "$t0" "$(now)")"
	done
	echo "compile russell-street.policy (whole process): runs$times s; median $(median $times) s"
}

bench_ctf() {
	n=${CTF_PUPILS:-100000}
	data=bench-data/ctf
	db=$data/register.db
	mkdir -p "$data"
	rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
	t0=$(now)
	python3 tests/bench/gen_ctf.py "$n" -o "$data/pupils.ctf.xml" --calendar "$data/calendar.csv"
	echo "[ctf] generate: $n pupils, $(du -m "$data/pupils.ctf.xml" | cut -f1) MB of XML in $(elapsed "$t0" "$(now)") s"
	"$attend" init "$db"
	"$attend" import "$db" "$data/calendar.csv" 2>/dev/null
	t0=$(now)
	timed "$data/time.log" "$attend" import "$db" "$data/pupils.ctf.xml"
	secs=$(elapsed "$t0" "$(now)")
	marks=$(sed -n 's/.*marks: \([0-9]*\) new.*/\1/p' "$data/time.log")
	echo "[ctf] import: $marks marks in $secs s = $(awk "BEGIN { printf \"%d\", $marks / $secs }") marks/s," \
	     "peak memory $peak MB, CPU $cpu s ($(awk "BEGIN { printf \"%d\", $marks / $cpu }") marks per CPU second)"
	t0=$(now)
	timed "$data/time.log" "$attend" import "$db" "$data/pupils.ctf.xml"
	secs=$(elapsed "$t0" "$(now)")
	same=$(sed -n 's/.*new, \([0-9]*\) unchanged.*/\1/p' "$data/time.log")
	echo "[ctf] re-import unchanged: $same marks in $secs s = $(awk "BEGIN { printf \"%d\", $same / $secs }")" \
	     "marks/s, peak memory $peak MB, CPU $cpu s"
	rm -f "$data/pupils.ctf.xml"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)," \
     "load $(cut -d' ' -f1-3 /proc/loadavg), ATTEND_JOBS=${ATTEND_JOBS:-default}"
for n in "$@"; do
	prepare_size "$n"
done
[ "${BENCH_PREPARE:-0}" = 1 ] && exit 0
# BENCH_LOCK=FILE: the timed rounds hold flock(1)'s lock on FILE, so that on a shared machine
# nothing else heavy runs beside them; generating and importing above do not.
if [ -n "${BENCH_LOCK:-}" ]; then
	exec 9>>"$BENCH_LOCK"
	flock 9
	echo "lock $BENCH_LOCK taken; load $(cut -d' ' -f1-3 /proc/loadavg)"
fi
bench_compile
for n in "$@"; do
	bench_size "$n"
done
case " $* " in *" 100000 "*) bench_baselines ;; esac
[ -n "${BENCH_LOCK:-}" ] && flock -u 9 && echo "lock released; load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${BENCH_CTF:-1}" = 1 ] && bench_ctf

echo
echo "scale (policy run, CSV to a file; medians of $rounds interleaved rounds; ratio = run / compute floor,"
echo "wall time, and the same for CPU time: the run's user + system, the floor's timed part):"
echo "| pupils | marks | import marks/s | run s (spread) | µs/pupil | peak MB | floor s | ratio | CPU run / floor |"
echo "|---|---|---|---|---|---|---|---|---|"
cat "$table"
