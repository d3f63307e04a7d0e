#!/bin/sh
# audit_hand.sh HAND_TABLES AUDIT — the audit of small tables built by hand
# (hand_tables.c): the naive pattern (primary suppression only) must be
# undone by the audit, the full pattern of state/suppress.c must not.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" --naive >"$tmp/naive.json"
"$1" >"$tmp/full.json"
echo "== naive pattern (primary suppression only): must be disclosed"
/usr/bin/python3 "$2" --expect-disclosure "$tmp/naive.json"
echo "== full pattern: nothing may be disclosed"
/usr/bin/python3 "$2" "$tmp/full.json"
