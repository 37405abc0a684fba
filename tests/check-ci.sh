#!/bin/sh
# The example GitHub Actions workflow (examples/ci/attend.yml) runs as written: every `run:` step,
# in order, in a copy of the repository (tests/run-workflow.py); the SARIF it would upload is valid
# (tests/check-sarif.py) and the JUnit results name every test. A step that fails fails this test.
#
#   tests/check-ci.sh
set -u
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: ci: $*"; exit 1; }
python3 -c 'import yaml' 2>/dev/null || fail "python3 with yaml is needed (.ci/install-deps.sh)"

# A copy, as a checkout would be: the build and the files the steps write stay out of the tree.
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tmp" || fail "cannot copy the repository"
here=$(pwd)
(cd "$tmp" && "$here/tests/run-workflow.py" examples/ci/attend.yml policy) >"$tmp/steps" 2>"$tmp/err" ||
	fail "a step failed: $(cat "$tmp/steps" "$tmp/err" | tail -n 20)"
[ "$(grep -c ': exit 0$' "$tmp/steps")" -eq 6 ] || fail "expected 6 steps run: $(cat "$tmp/steps")"
grep -q 'upload-sarif@v3) with {"category": "attend", "sarif_file": "attend.sarif"}' "$tmp/steps" ||
	fail "the upload step does not name attend.sarif"
tests/check-sarif.py "$tmp/attend.sarif" || fail "the SARIF the workflow uploads is not valid"
tests=$(grep -c '<testcase ' "$tmp/test-results.xml")
want=$(cat policies/tests/*.test | grep -c '^test "')
[ "$tests" -eq "$want" ] || fail "test-results.xml holds $tests tests, not the $want of policies/tests"
echo "ci: the example workflow's 6 steps ran in order; its SARIF and JUnit checked"
