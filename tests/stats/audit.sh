#!/bin/sh
# audit.sh hand|random HAND_TABLES AUDIT — the suppression audit
# (suppress_audit.py) of tables from hand_tables.c:
#   hand    small tables built by hand: the naive pattern (primary
#           suppression only) must be undone by the audit, the full
#           pattern of state/suppress.c must not;
#   random  every published table from the counts of random entities
#           (seeds 1..MN_AUDIT_SEEDS, default 8), suppressed as the
#           national view is: nothing may be undone.
set -eu
mode=$1 tool=$2 audit=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$mode" = hand ]; then
    "$tool" --naive >"$tmp/naive.json"
    "$tool" >"$tmp/full.json"
    echo "== naive pattern (primary suppression only): must be disclosed"
    /usr/bin/python3 "$audit" --expect-disclosure "$tmp/naive.json"
    echo "== full pattern: nothing may be disclosed"
    /usr/bin/python3 "$audit" "$tmp/full.json"
    exit 0
fi
for seed in $(seq 1 "${MN_AUDIT_SEEDS:-8}"); do
    "$tool" --random "$seed" >"$tmp/random.json"
    echo "== random counts, seed $seed"
    /usr/bin/python3 "$audit" "$tmp/random.json" | tail -n 1
done
