#!/bin/sh
# SARIF from every command that writes it (check, lint, test, validate, la validate), each with
# findings of several rules, validated by tests/check-sarif.py against the vendored SARIF 2.1.0
# schema and the rules GitHub and Microsoft's validator apply beyond it (docs/formats.md).
#
#   tests/check-sarif.sh ATTEND
. tests/lib.sh
ATTEND=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail() { echo "FAIL: sarif: $*"; exit 1; }
python3 -c 'import jsonschema' 2>/dev/null || fail "python3 with jsonschema is needed (.ci/install-deps.sh)"

sarif() { # name expected-status attend-arguments...
	name=$1 want=$2
	shift 2
	"$ATTEND" "$@" --format sarif >"$tmp/$name.sarif" 2>"$tmp/$name.err"
	got=$?
	[ "$got" -eq "$want" ] || fail "$name: exit $got, expected $want: $(cat "$tmp/$name.err")"
	grep -q '"ruleId"' "$tmp/$name.sarif" || fail "$name: no results to check"
}
D=tests/golden/diagnostics
sarif check 1 check $D/letterhead_fields.policy $D/unknown_placeholder.policy $D/several_errors.policy
sarif lint 1 lint --strict --as-of 2030-01-01 policies/kildwick.policy policies/russell-street.policy
sarif test 2 test tests/golden/tools/failing.test
sarif validate 1 validate -I policies tests/golden/tools/lax.policy --against policies/england-2024.policy --on 2025-03-03
# From the manifest's folder, as in CI: the policies' paths, and so the URIs, are relative.
mkdir "$tmp/la" && cp tests/scenarios/data/la/* policies/*.policy "$tmp/la/"
(cd "$tmp/la" && sarif la-validate 1 la validate la-bad.csv --against england-2024.policy --on 2025-02-14)

tests/check-sarif.py "$tmp"/*.sarif || fail "not valid SARIF 2.1.0 (above)"
# The checker itself finds what is missing: a log without the driver's version fails.
sed 's/"version": "0.1.0",//' "$tmp/check.sarif" >"$tmp/broken.json"
tests/check-sarif.py "$tmp/broken.json" >/dev/null && fail "check-sarif.py passes a driver without a version"
sed 's/"level": "error"/"level": "fatal"/' "$tmp/check.sarif" >"$tmp/broken.json"
tests/check-sarif.py "$tmp/broken.json" >/dev/null && fail "check-sarif.py passes a level the schema does not allow"
echo "sarif: 5 logs valid against the SARIF 2.1.0 schema"
