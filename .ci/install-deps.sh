#!/bin/sh
# Installs the build dependencies that are missing (Debian/Ubuntu), and nothing else.
set -eu
need=""
command -v flex >/dev/null 2>&1 || need="$need flex"
command -v bison >/dev/null 2>&1 || need="$need bison"
command -v cc >/dev/null 2>&1 || need="$need gcc libc6-dev"
command -v make >/dev/null 2>&1 || need="$need make"
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
[ -f /usr/include/sqlite3.h ] || need="$need libsqlite3-dev"
[ -f /usr/include/cmocka.h ] || need="$need libcmocka-dev"
[ -f /usr/include/libxml2/libxml/xmlreader.h ] || need="$need libxml2-dev"
# tests/check-sarif.py validates SARIF against the vendored schema
python3 -c 'import jsonschema' >/dev/null 2>&1 || need="$need python3 python3-jsonschema"
# tests/run-workflow.py reads the example CI workflow
python3 -c 'import yaml' >/dev/null 2>&1 || need="$need python3-yaml"
[ -n "$need" ] || exit 0
echo "installing:$need"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
