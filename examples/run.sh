#!/bin/sh
# The README's first command (`make example`): import the example register into
# two fresh databases (one per school: the same arrival time is marked L at one
# school and U at the other) and run each school's policy on it.
#
#   sh examples/run.sh          from the repository root on a fresh machine: installs what is
#                               missing (.ci/install-deps.sh), builds, runs
#   sh examples/run.sh ATTEND   with an attend binary already built (make example)
set -eu
if [ $# -eq 0 ]; then
	sh .ci/install-deps.sh
	make -s all
fi
ATTEND=${1:-build/attend}
AS_OF=2025-02-14
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for school in russell-street kildwick; do
	marks=examples/marks.csv
	[ "$school" = kildwick ] && marks=examples/marks-kildwick.csv
	db="$dir/$school.db"
	"$ATTEND" init "$db"
	"$ATTEND" import "$db" examples/calendar.csv examples/pupils.csv "$marks"
	# Stages that build on earlier ones (Russell Street's stage 5, Kildwick's stage 2)
	# need the history: record every school day of the term so far, in order.
	"$ATTEND" replay "policies/$school.policy" --db "$db" --from 2024-09-04 --to "$AS_OF"
	echo
	echo "== policies/$school.policy, as of $AS_OF =="
	"$ATTEND" run "policies/$school.policy" --db "$db" --as-of "$AS_OF"
done
echo
echo "== Why is Zain Iqbal (M999200123009) at this point under Russell Street? =="
"$ATTEND" explain policies/russell-street.policy --db "$dir/russell-street.db" --pupil M999200123009 --as-of "$AS_OF"
