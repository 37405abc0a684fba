#!/bin/sh
# The README's test command, from the repository root on a fresh machine:
# installs what is missing, builds, and runs every test (plain, then under
# AddressSanitizer and UndefinedBehaviorSanitizer). Same as `make test`.
set -eu
sh .ci/install-deps.sh
make -j2 test
