# The preamble every test runner shares; sourced from the repository root with the runner's
# arguments, so $1 is the attend binary:
#
#   . tests/lib.sh
#
# Sets ATTEND, a C locale, $tmp (a folder removed at exit) and the pass/fail counters.
set -u
ATTEND=$1
LC_ALL=C; export LC_ALL
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
# A register's content, for "the database is unchanged".
checksum() { sqlite3 "$1" .dump | cksum; }
# The runner's last line and exit status: summary NAME.
summary() { echo "$1: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
