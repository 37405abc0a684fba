#!/bin/sh
# The command-line conventions, for every command (docs/attend.1, cli/options.h):
#   attend CMD --help and -h: that command's usage on stdout, nothing on stderr, exit 0, nothing created;
#   a bad option: exactly one line on stderr naming it, nothing on stdout, exit 2;
#   the bash completion script, generated from the same tables, completes commands, options and choices.
. tests/lib.sh
ATTEND=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

# Every command and subcommand, as `attend --help` lists them.
commands=$("$ATTEND" --help | sed -n 's/^  attend \([a-z]*\) .*/\1/p')
[ "$(echo "$commands" | wc -l)" -ge 19 ] && ok || fail "attend --help lists fewer than 19 commands"
subcommands() { "$ATTEND" "$1" --help | sed -n "s/^  attend $1 \([a-z]*\) .*/$1 \1/p"; }

all=$(for c in $commands; do
	case $("$ATTEND" "$c" --help | head -n 1) in
	*SUBCOMMAND*) echo "$c"; subcommands "$c" ;;
	*) echo "$c" ;;
	esac
done)

mkdir "$tmp/cwd" && cd "$tmp/cwd" || exit 2
echo "$all" | while IFS= read -r cmd; do
	for h in --help -h; do
		# shellcheck disable=SC2086
		"$ATTEND" $cmd $h >../out 2>../err
		rc=$?
		first=$(head -n 1 ../out)
		if [ $rc -ne 0 ] || [ -s ../err ] || [ "${first#usage: attend $cmd }" = "$first" ]; then
			echo "FAIL: attend $cmd $h: exit $rc, first line \"$first\", stderr: $(cat ../err)"
		elif [ -n "$(ls -A)" ]; then
			echo "FAIL: attend $cmd $h created $(ls -A)"
		elif ! grep -q '^Exit status:' ../out && ! grep -q '^Subcommands:' ../out; then
			echo "FAIL: attend $cmd $h: no exit statuses"
		fi
	done
	case $cmd in notice) continue ;; esac
	# shellcheck disable=SC2086
	"$ATTEND" $cmd --no-such-option x >../out 2>../err
	rc=$?
	if [ $rc -ne 2 ] || [ -s ../out ] || [ "$(wc -l <../err)" -ne 1 ] || ! grep -q -- '--no-such-option' ../err; then
		echo "FAIL: attend $cmd --no-such-option: exit $rc, stderr: $(cat ../err)"
	fi
done >"$tmp/failures"
cd - >/dev/null || exit 2
if [ -s "$tmp/failures" ]; then
	failed=$((failed + $(wc -l <"$tmp/failures")))
	cat "$tmp/failures"
else
	ok
fi

# A missing argument and a bad choice: one line each.
"$ATTEND" run --db >/dev/null 2>"$tmp/err"
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && ok || fail "run --db without its argument: $(cat "$tmp/err")"
"$ATTEND" run x --db y --format yaml >/dev/null 2>"$tmp/err"
grep -qx 'attend: run: --format is text, json or csv, not "yaml"' "$tmp/err" && ok || fail "run --format yaml: $(cat "$tmp/err")"

# Standard input where a file is read.
if "$ATTEND" check -I policies - <policies/kildwick.policy 2>"$tmp/err"; then ok; else fail "check - : $(cat "$tmp/err")"; fi
printf 'school "x"\n' | "$ATTEND" check - 2>"$tmp/err"
[ $? = 1 ] && grep -q '^-:1:1: error' "$tmp/err" && ok || fail "check - with an error: $(cat "$tmp/err")"

# import -: the file from standard input, named "-" in messages; all or nothing as any file.
"$ATTEND" init "$tmp/in.db" 2>/dev/null && "$ATTEND" import "$tmp/in.db" examples/calendar.csv 2>/dev/null
"$ATTEND" import "$tmp/in.db" - <examples/pupils.csv 2>"$tmp/err" && grep -qx -- '-: imported 20 pupils rows' "$tmp/err" &&
	ok || fail "import - : $(cat "$tmp/err")"
printf 'upn,surname,forename\nX1,,Bob\n' | "$ATTEND" import "$tmp/in.db" - 2>"$tmp/err"
[ $? = 1 ] && grep -qx -- '-:2: surname: missing' "$tmp/err" && ok || fail "import - with a bad row: $(cat "$tmp/err")"
"$ATTEND" import "$tmp/in.db" - - </dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'standard input (-) can be read once' "$tmp/err" && ok || fail "import - -: $(cat "$tmp/err")"

# Colour: never with NO_COLOR or TERM=dumb, even when asked for auto; always when asked.
printf 'school "x"\n' >"$tmp/bad.policy"
"$ATTEND" check --color=always "$tmp/bad.policy" 2>"$tmp/err"
grep -q "$(printf '\033')" "$tmp/err" && ok || fail "--color=always gives no colour"
NO_COLOR=1 "$ATTEND" check "$tmp/bad.policy" 2>"$tmp/err"
grep -q "$(printf '\033')" "$tmp/err" && fail "NO_COLOR coloured" || ok
"$ATTEND" check --color=sometimes "$tmp/bad.policy" 2>"$tmp/err"
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && ok || fail "--color=sometimes: $(cat "$tmp/err")"

# A passed review date (Kildwick's is 2023-03-01) fails --strict only when --as-of pins the day.
"$ATTEND" lint --strict policies/kildwick.policy 2>"$tmp/err"
[ $? = 0 ] && grep -q 'warning: the review date 2023-03-01 has passed .*\[review-date-passed\]' "$tmp/err" && ok ||
	fail "lint --strict without --as-of: $(cat "$tmp/err")"
"$ATTEND" lint --strict --as-of 2025-02-14 policies/kildwick.policy 2>"$tmp/err"
[ $? = 1 ] && grep -q 'error: the review date 2023-03-01 has passed (as of 2025-02-14)' "$tmp/err" && ok ||
	fail "lint --strict --as-of: $(cat "$tmp/err")"

# bash completion from the same tables.
"$ATTEND" completion bash >"$tmp/attend.bash" || fail "completion bash"
complete_words() { # words... -> what bash would offer for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _attend; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$tmp/attend.bash" "$@"
}
[ "$(complete_words attend lin)" = lint ] && ok || fail "completion: attend lin -> $(complete_words attend lin)"
[ "$(complete_words attend run x --for)" = --format ] && ok || fail "completion: run --for"
[ "$(complete_words attend run x --format j)" = json ] && ok || fail "completion: run --format j"
[ "$(complete_words attend notice wi)" = withdraw ] && ok || fail "completion: notice wi"
[ "$(complete_words attend notice issue x --for)" = --force ] && ok || fail "completion: notice issue --for"
"$ATTEND" completion zsh >"$tmp/_attend" && grep -q '^#compdef attend' "$tmp/_attend" && ok || fail "completion zsh"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$tmp/_attend" && ok || fail "zsh -n _attend"
fi

summary cli
