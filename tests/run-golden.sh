#!/bin/sh
# Golden tests: plain-text expected output, compared byte for byte.
#
#   tests/golden/diagnostics/NAME.policy  `attend check` stderr and exit status  -> NAME.expected
#   tests/golden/disasm/NAME.policy       `attend disasm` listing                 -> NAME.expected
#   tests/scenarios/NAME.scenario         policy x register x date -> outcome (format below)
#   docs/bytecode.md                      its opcode table matches runtime/opcodes.def
#   policies/*.policy                     are formatted (attend fmt --check)
#   tests/check-report.sh                 attend la report's HTML (and in chromium, if installed)
#   tests/check-letters.sh                attend letters and the print run (printed by chromium, if installed)
#   tests/check-sarif.sh                  SARIF of every command against the SARIF 2.1.0 schema (tests/sarif/)
#   tests/check-explain-html.sh           attend explain --format html: the page and its year strip
#
# A scenario is a list of directives, one per line ('#' starts a comment):
#   import FILE...          CSV files to import into a fresh register
#   attend ARGS...          run attend with ARGS ($DB is the register); then the
#   expect ... end          block holds its exact stdout and a last line "exit N"
#   copy FILE...            copies files into $DIR, a fresh folder per scenario
#   register PATH FILE...   a fresh register at PATH (e.g. $DIR/100001.db) with FILEs imported
#   sqlite PATH FILE        a database at PATH made by sqlite3 from the SQL in FILE (an older register)
# $DIR in ARGS and PATH is that folder; in attend's output it reads "$DIR" again.
#
# UPDATE=1 tests/run-golden.sh build/attend rewrites the expected files.
# SCENARIOS_ONLY=1 runs only the scenarios: `make check-golden` runs them again
# with ATTEND_JOBS=4 to show that a run gives the same bytes with any --jobs.
. tests/lib.sh

compare() { # name expected-file actual-file
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$3" "$2"
	fi
	if cmp -s "$2" "$3"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $1"
		diff -u "$2" "$3" | head -n 40
	fi
}

for f in tests/golden/diagnostics/*.policy; do
	[ "${SCENARIOS_ONLY:-0}" = 1 ] && break
	[ -e "$f" ] || continue
	"$ATTEND" check "$f" >/dev/null 2>"$tmp/out"
	echo "exit $?" >>"$tmp/out"
	compare "$f" "${f%.policy}.expected" "$tmp/out"
done

for f in tests/golden/disasm/*.policy; do
	[ "${SCENARIOS_ONLY:-0}" = 1 ] && break
	[ -e "$f" ] || continue
	"$ATTEND" disasm "$f" >"$tmp/out" 2>&1
	echo "exit $?" >>"$tmp/out"
	compare "$f" "${f%.policy}.expected" "$tmp/out"
done

# Scenarios: the expected blocks are rewritten in place under UPDATE=1.
for f in tests/scenarios/*.scenario; do
	[ -e "$f" ] || continue
	DB="$tmp/register.db"
	DIR="$tmp/dir"
	rm -rf "$DB" "$DIR"
	mkdir "$DIR"
	"$ATTEND" init "$DB" || { failed=$((failed + 1)); echo "FAIL: $f: init"; continue; }
	n=0 inblock=0 ok=1
	: >"$tmp/new"
	while IFS= read -r line || [ -n "$line" ]; do
		if [ $inblock = 1 ]; then
			if [ "$line" = "end" ]; then
				inblock=0
				cat "$tmp/actual" >>"$tmp/new"
				echo "end" >>"$tmp/new"
				compare "$f (block $n)" "$tmp/expected" "$tmp/actual"
			else
				printf '%s\n' "$line" >>"$tmp/expected"
			fi
			continue
		fi
		printf '%s\n' "$line" >>"$tmp/new"
		case $line in
		import\ *)
			# shellcheck disable=SC2086
			set -- ${line#import }
			if ! "$ATTEND" import "$DB" "$@" >/dev/null 2>"$tmp/err"; then
				echo "FAIL: $f: import: $(cat "$tmp/err")"; ok=0
			fi ;;
		copy\ *)
			# shellcheck disable=SC2086
			cp ${line#copy } "$DIR/" || { echo "FAIL: $f: $line"; ok=0; } ;;
		register\ *)
			# shellcheck disable=SC2086
			set -- $(printf '%s' "${line#register }" | sed "s|\\\$DIR|$DIR|g")
			reg=$1
			shift
			if ! "$ATTEND" init "$reg" || ! "$ATTEND" import "$reg" "$@" >/dev/null 2>"$tmp/err"; then
				echo "FAIL: $f: register: $(cat "$tmp/err")"; ok=0
			fi ;;
		sqlite\ *)
			# shellcheck disable=SC2086
			set -- $(printf '%s' "${line#sqlite }" | sed "s|\\\$DIR|$DIR|g")
			sqlite3 "$1" <"$2" >/dev/null 2>"$tmp/err" || { echo "FAIL: $f: sqlite: $(cat "$tmp/err")"; ok=0; } ;;
		attend\ *)
			n=$((n + 1))
			args=$(printf '%s' "${line#attend }" | sed -e "s|\\\$DB|$DB|g" -e "s|\\\$DIR|$DIR|g")
			# shellcheck disable=SC2086
			eval "\"\$ATTEND\" $args" >"$tmp/raw" 2>&1
			rc=$?
			sed "s|$DIR|\$DIR|g" "$tmp/raw" >"$tmp/actual"
			echo "exit $rc" >>"$tmp/actual" ;;
		expect)
			inblock=1
			: >"$tmp/expected" ;;
		esac
	done <"$f"
	[ $ok = 1 ] || failed=$((failed + 1))
	if [ "${UPDATE:-0}" = 1 ]; then cp "$tmp/new" "$f"; fi
done

if [ "${SCENARIOS_ONLY:-0}" = 1 ]; then
	echo "golden scenarios (ATTEND_JOBS=${ATTEND_JOBS:-default}): $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

# Every policy in the repository is in the formatter's canonical layout.
if "$ATTEND" fmt --check policies/*.policy >"$tmp/out" 2>&1; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL: policies/ are not formatted (attend fmt -w policies/*.policy):"
	head -n 40 "$tmp/out"
fi

# Generated documentation: the opcode table in docs/bytecode.md.
if tests/update-docs.sh "$ATTEND" --check >"$tmp/out" 2>&1; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	cat "$tmp/out"
fi

# attend la report and attend letters: HTML checked, and in chromium when it is installed.
for check in tests/check-report.sh tests/check-letters.sh tests/check-sarif.sh tests/check-explain-html.sh; do
	if $check "$ATTEND" >"$tmp/out" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		cat "$tmp/out"
	fi
done

summary golden
