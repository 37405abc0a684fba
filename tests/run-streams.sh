#!/bin/sh
# Streams and exit statuses, command by command, with good, bad and missing input
# (README "Exit status"; docs/attend.1): findings and diagnostics go to standard
# error as text, machine formats and reports to standard output.
#
# Each row of the table: STATUS STDOUT STDERR ARGS...
#   STATUS  the exit status expected
#   STDOUT  "out" something on standard output, "-" nothing
#   STDERR  "err" something on standard error, "-" nothing
# ARGS may use $DB (a register with the example data), $BAD (a policy with an
# error), $NONE (a file that does not exist), $T (a scratch folder).
. tests/lib.sh
T=$tmp
DB=$T/school.db BAD=$T/bad.policy NONE=$T/none.policy
"$ATTEND" init "$DB" && "$ATTEND" import "$DB" examples/calendar.csv examples/pupils.csv examples/marks.csv 2>/dev/null ||
	{ echo "FAIL: cannot build the register"; exit 1; }
printf 'policy "x"\nschool {\n' >"$BAD"
printf 'upn,parent_id,name\nM999200123009,P1,Ann Smith\n' >"$T/parents.csv"
printf 'policy  "x"\n' >"$T/unformatted.policy"
printf 'upn,date,session,code\nNOSUCH,2024-09-04,AM,/\n' >"$T/badmarks.csv"
RS=policies/russell-street.policy KW=policies/kildwick.policy EN=policies/england-2024.policy
UPN=M999200123009 D=2025-02-14

table() {
	cat <<ROWS
0 - -     check $RS
1 - err   check $BAD
2 - err   check $NONE
0 out -   check --format sarif $RS
1 out -   check --format json $BAD
0 - -     lint $EN
1 - err   lint --strict --as-of 2030-01-01 $KW
1 out -   lint --strict --as-of 2030-01-01 --format json $KW
2 - err   lint $NONE
0 out -   fmt $RS
0 - -     fmt --check $RS
0 - -     fmt --check --format github $RS
1 out -   fmt --check --format github $T/unformatted.policy
1 out -   fmt --check --format sarif $T/unformatted.policy
2 - err   fmt $BAD
2 - err   fmt $NONE
0 - -     compile $RS -o $T/rs.apc
1 - err   compile $BAD -o $T/bad.apc
2 - err   compile $NONE -o $T/x.apc
2 - err   compile $RS
0 out -   disasm $T/rs.apc
2 - err   disasm $NONE
0 out -   opcodes
2 - err   opcodes extra
0 - -     init $T/new.db
2 - err   init
0 - err   import $DB $T/parents.csv
1 - err   import $DB $T/badmarks.csv
2 - err   import $DB $NONE
0 out -   run $RS --db $DB --as-of $D
0 out -   run $RS --db $DB --as-of $D --format json
0 out -   run $RS --db $DB --as-of $D --format csv
2 - err   run $RS --db $DB --as-of $D --pupil NOSUCHPUPIL
2 - err   run $RS --db $NONE --as-of $D
1 - err   run $BAD --db $DB --as-of $D
2 - err   run $RS --as-of $D
0 out -   explain $RS --db $DB --pupil $UPN --as-of $D
0 out -   explain $RS --db $DB --pupil $UPN --as-of $D --format html
2 - err   explain $RS --db $DB --pupil NOSUCHPUPIL --as-of $D
2 - err   explain $RS --db $DB --as-of $D
0 out -   letters $RS --db $DB --as-of $D --out $T/letters
2 - err   letters $RS --db $DB --as-of $D --pupil NOSUCHPUPIL --out $T/letters
2 - err   letters $RS --db $DB --as-of $D
0 out -   replay $RS --db $DB --from 2024-09-04 --to 2024-09-20
2 - err   replay $RS --db $DB --from 2024-09-20 --to 2024-09-04
0 out -   history $DB --upn $UPN --from 2024-09-04 --to 2024-09-06
2 - err   history $NONE --upn $UPN
0 out -   notice list $DB
2 - err   notice issue $RS --db $DB --upn $UPN --parent P1
1 - err   notice issue $RS --db $DB --upn $UPN --parent P9 --date $D
2 - err   notice pay $DB --id 0 --date $D
2 - err   notice
0 out -   amend $DB --upn $UPN --date 2024-09-04 --session AM --code I --reason test --by T
2 - err   amend $DB --upn $UPN --date 2024-09-04 --session XX --code I --reason test --by T
0 out -   migrate $DB
2 - err   migrate
0 - err   test policies/tests/russell-street.test
0 out -   test --format json policies/tests/russell-street.test
0 out err test --junit - policies/tests/russell-street.test
0 - err   test --junit $T/results.xml --filter '*Stage*' policies/tests/russell-street.test
2 - err   test $NONE
0 - -     validate $RS --against $EN --on $D
1 - err   validate -I policies tests/golden/tools/lax.policy --against $EN --on $D
1 out -   validate -I policies tests/golden/tools/lax.policy --against $EN --on $D --format sarif
2 - err   validate $RS
0 out -   diff $RS $RS --db $DB --as-of $D
2 - err   diff $RS --db $DB
0 out -   stats $RS --db $DB --to $D
2 - err   stats $RS
0 out -   completion bash
2 - err   completion fish
ROWS
}

table >"$T/table"
while read -r status want_out want_err args; do
	eval "set -- $args"
	"$ATTEND" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	got_out=-; [ -s "$T/out" ] && got_out=out
	got_err=-; [ -s "$T/err" ] && got_err=err
	if [ "$rc" = "$status" ] && [ "$got_out" = "$want_out" ] && [ "$got_err" = "$want_err" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: attend $args: expected exit $status, stdout $want_out, stderr $want_err;" \
			"got exit $rc, stdout $got_out, stderr $got_err"
		head -n 3 "$T/err" | sed 's/^/    /'
	fi
done <"$T/table"
summary streams
