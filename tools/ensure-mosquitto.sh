#!/usr/bin/env bash
# Installs the Mosquitto broker the broker-ACL test runs (test/node/fleet-broker.test.ts) when it
# is missing: Debian's package, as root (or through sudo without a password). Idempotent: a
# machine that has it is left as it is. `npm test` runs this first (its pretest).
set -euo pipefail
if [ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-mosquitto: mosquitto is missing and this is no Debian-like system: install the broker (package mosquitto) by hand" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    run() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run() { sudo -n "$@"; }
else
    echo "ensure-mosquitto: mosquitto is missing; installing it needs root: sudo apt-get install mosquitto" >&2
    exit 1
fi
echo "ensure-mosquitto: installing mosquitto (apt-get)" >&2
run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# the package's own service is not wanted (the test starts its broker on a port of its own);
# where a service manager runs it starts one on 1883, which the test does not use
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto >/dev/null
[ -x /usr/sbin/mosquitto ] || { echo "ensure-mosquitto: apt-get ran but /usr/sbin/mosquitto is not there" >&2; exit 1; }
echo "ensure-mosquitto: $(/usr/sbin/mosquitto -h 2>/dev/null | head -1)" >&2
