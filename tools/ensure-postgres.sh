#!/usr/bin/env bash
# Installs the PostgreSQL server the fleet registry's tests and load run start (a throwaway
# cluster of their own: test/support/pg.ts) when it is missing: Debian's package, as root (or
# through sudo without a password). Idempotent: a machine that has initdb is left as it is.
# `npm test` runs this first (its pretest). The package's own cluster is not used by anything
# here; the tests run their own on a unix socket in a temp folder.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-postgres: PostgreSQL is missing and this is no Debian-like system: install its server (initdb, postgres) by hand" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    run() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run() { sudo -n "$@"; }
else
    echo "ensure-postgres: PostgreSQL is missing; installing it needs root: sudo apt-get install postgresql" >&2
    exit 1
fi
echo "ensure-postgres: installing postgresql (apt-get)" >&2
run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "ensure-postgres: apt-get ran but no /usr/lib/postgresql/*/bin/initdb" >&2; exit 1; }
echo "ensure-postgres: $(ls -d /usr/lib/postgresql/*/bin | tail -1)" >&2
