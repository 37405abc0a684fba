#!/bin/sh
# Runs every cmocka unit binary given; prints one summary line and fails if any test failed.
passed=0 failed=0
for bin in "$@"; do
	out=$("$bin" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	if [ "$rc" -ne 0 ] || [ -n "$f" ]; then
		failed=$((failed + ${f:-1}))
		printf '%s\n' "$out"
		echo "FAILED: $bin (exit $rc)"
	fi
done
echo "units: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
