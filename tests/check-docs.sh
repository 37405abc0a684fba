#!/bin/sh
# The docs run as written: every command of docs/tutorial.md and of the README's tour, extracted
# from the markdown (tests/doc-commands.py) and run in order, each in a fresh copy of the
# repository, with `attend` on PATH. A command must exit as the docs say: 0, or the status its
# comment promises ("(exit 1)"). The tour's local-authority lines name files a local authority
# keeps (la.csv, each school's register, la.db): they are made first from the test data of
# docs/la.md (tests/scenarios/data/la), as that page describes.
#
#   tests/check-docs.sh ATTEND
set -u
ATTEND=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

sandbox() { # dir: a copy of the repository, as a reader's checkout
	mkdir -p "$1/.bin" && ln -s "$ATTEND" "$1/.bin/attend" &&
		git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$1"
}

run_commands() { # dir markdown [heading]
	dir=$1
	shift
	tests/doc-commands.py "$@" >"$tmp/commands" || exit 2
	while IFS= read -r cmd; do
		want=$(printf '%s\n' "$cmd" | sed -n 's/.*# .*(exit \([0-9]\)).*/\1/p')
		(cd "$dir" && PATH="$dir/.bin:$PATH" bash -c "$cmd") >"$tmp/out" 2>&1 </dev/null
		got=$?
		if [ "$got" -eq "${want:-0}" ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL: $1: exit $got, expected ${want:-0}: $cmd"
			tail -n 5 "$tmp/out"
		fi
	done <"$tmp/commands"
}

la_files() { # dir: what a local authority keeps, made from docs/la.md's test data
	D=tests/scenarios/data/la
	cp $D/la.csv policies/kildwick.policy policies/russell-street.policy policies/england-2024.policy "$1/" &&
	for s in a:100001 b:100002; do
		"$ATTEND" init "$1/${s#*:}.db" >/dev/null &&
		"$ATTEND" import "$1/${s#*:}.db" $D/school-${s%%:*}.csv $D/calendar-${s%%:*}.csv $D/pupils-${s%%:*}.csv \
			$D/marks-${s%%:*}.csv $D/parents-${s%%:*}.csv >/dev/null 2>&1 || return 1
	done &&
	"$ATTEND" init "$1/la.db" >/dev/null &&
	"$ATTEND" import "$1/la.db" $D/school-a.csv $D/calendar-a.csv $D/pupils-a.csv $D/marks-a.csv >/dev/null 2>&1 &&
	"$ATTEND" import "$1/la.db" $D/school-b.csv >/dev/null 2>&1 &&
	"$ATTEND" import --school 100002 "$1/la.db" $D/calendar-b.csv $D/pupils-b.csv $D/marks-b.csv >/dev/null 2>&1
}

sandbox "$tmp/tutorial" || exit 2
run_commands "$tmp/tutorial" docs/tutorial.md
sandbox "$tmp/readme" || exit 2
la_files "$tmp/readme" || { echo "FAIL: cannot make the local authority's files"; exit 1; }
run_commands "$tmp/readme" README.md "A tour"
cd "$here" || exit 2
echo "docs: $passed commands ran as documented, $failed did not"
[ "$failed" -eq 0 ]
