#!/usr/bin/env bash
# Installs the Debian packages the tests run when they are missing, as root (or through sudo
# without a password); a machine that has them is left as it is. `npm test` and `npm run bench`
# run this first (their pretest and prebench).
#   mosquitto:  the broker-ACL test and the fleet load run start a broker on a port of their own
#               (the package's own service, where a service manager starts one on 1883, is unused)
#   postgresql: the fleet registry's tests start a throwaway cluster in a temp folder
#               (test/support/pg.ts); the package's own cluster is unused
set -euo pipefail

has_mosquitto() { [ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1; }
has_postgresql() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }

missing=()
has_mosquitto || missing+=(mosquitto)
has_postgresql || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-ensure: ${missing[*]} missing and this is no Debian-like system: install them by hand" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    run() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run() { sudo -n "$@"; }
else
    echo "apt-ensure: ${missing[*]} missing; installing needs root: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "apt-ensure: installing ${missing[*]} (apt-get)" >&2
run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for p in "${missing[@]}"; do
    "has_$p" || { echo "apt-ensure: apt-get ran but $p is still missing" >&2; exit 1; }
done
echo "apt-ensure: ${missing[*]} installed" >&2
