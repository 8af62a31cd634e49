#!/usr/bin/env bash
# Checks deploy/coturn/turnserver.conf against the hub's credential scheme with Debian's coturn (apt install coturn):
# starts turnserver on loopback test ports, then
#   - a credential made like the hub's (username "<expiry>:<user>", base64 HMAC-SHA1) allocates a relay,
#   - a wrong credential and an expired username are refused,
#   - relaying to a private/loopback peer is refused (403 Forbidden IP).
# Exit 0 when all hold. Usage: bash deploy/coturn/check.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v turnserver >/dev/null || { echo "turnserver not found: apt install coturn" >&2; exit 2; }
work=$(mktemp -d)
secret=check-secret-$(date +%s)-0123456789
sed -e 's/^listening-port=3478/listening-port=34780/' -e 's/^tls-listening-port=5349/tls-listening-port=53490/' \
    -e "s#/etc/coturn/tls/#$work/#" "$here/turnserver.conf" > "$work/turnserver.conf"
turnserver -c "$work/turnserver.conf" --static-auth-secret="$secret" --realm=turn.check --listening-ip=127.0.0.1 \
  --relay-ip=127.0.0.1 --pidfile="$work/pid" > "$work/turnserver.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 2
if grep -qi "bad configuration" "$work/turnserver.log"; then grep -i "bad configuration" "$work/turnserver.log"; exit 1; fi

cred() { node -e 'console.log(require("crypto").createHmac("sha1", process.argv[1]).update(process.argv[2]).digest("base64"))' "$secret" "$1"; }
try() { timeout 8 turnutils_uclient -u "$1" -w "$2" -p 34780 -n 1 -m 1 -e 127.0.0.1 -r 34999 127.0.0.1 2>&1 || true; }
fail=0
good="$(( $(date +%s) + 600 )):check-user"
out=$(try "$good" "$(cred "$good")")
if grep -q "Cannot complete Allocation" <<<"$out"; then echo "FAIL: a hub credential was refused"; fail=1; else echo "ok: a hub credential allocates a relay"; fi
if grep -q "403 (Forbidden IP)" <<<"$out"; then echo "ok: relaying to a loopback peer is refused"; else echo "FAIL: loopback peer not refused"; fail=1; fi
out=$(try "$good" "d3JvbmcgY3JlZGVudGlhbA==")
if grep -q "Cannot complete Allocation" <<<"$out"; then echo "ok: a wrong credential is refused"; else echo "FAIL: wrong credential accepted"; fail=1; fi
old="$(( $(date +%s) - 5 )):check-user"
out=$(try "$old" "$(cred "$old")")
if grep -q "Cannot complete Allocation" <<<"$out"; then echo "ok: an expired credential is refused"; else echo "FAIL: expired credential accepted"; fail=1; fi
exit $fail
