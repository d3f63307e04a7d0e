# tests/bench/calib.sh — sourced by tests/bench/run and tests/bench/cluster:
# the calibration both print, and every figure as a ratio to it, so that
# runs on different machines compare.
#
# calibrate CALIB DIR: run build/tests/bench/calib in DIR (put it on the
# data disk, before any load) and set
#   CAL_F     fsyncs/s of a 4 KiB block (the cost floor of a durable write)
#   CAL_L     rows/s in durable LMDB transactions of 1,000 puts (the
#             ceiling of an import or a catch-up through the store)
#   CAL_LINE  both, in words, for the report.
# Returns 1 when calib failed.
calibrate() {
    local c
    c=$("$1" --dir "$2" 2>/dev/null) || return 1
    CAL_F=$(sed -n 's/.* fsyncs_per_s=\([^ ]*\).*/\1/p' <<<"$c")
    CAL_L=$(sed -n 's/.* lmdb_puts_per_s=\([^ ]*\).*/\1/p' <<<"$c")
    CAL_LINE="$CAL_F fsyncs/s of a 4 KiB block (F);"
    CAL_LINE+=" $(sed -n 's/.* lmdb_txns_per_s=\([^ ]*\).*/\1/p' <<<"$c")"
    CAL_LINE+=" durable LMDB transactions/s of 1,000 puts = $CAL_L rows/s (L)"
    [[ -n $CAL_F && -n $CAL_L ]]
}

# ratio KIND RATE: a rate over calibration KIND (F or L), e.g. "0.420 L".
ratio() {
    awk -v r="$2" -v f="$CAL_F" -v l="$CAL_L" -v k="$1" 'BEGIN {
        b = k == "F" ? f : l; printf "%.3f %s", (b > 0 ? r / b : 0), k }'
}

# ratio_ms MS: a latency in fsync times (MS x fsyncs/s / 1000), e.g.
# "3.1 Ft": a lag of about three durable 4 KiB writes.
ratio_ms() {
    awk -v ms="$1" -v f="$CAL_F" 'BEGIN { printf "%.1f Ft", ms * f / 1000 }'
}

# CAL_LEGEND: what the ratio column means, for the report.
CAL_LEGEND="(ratio: the figure over this run's calibration: F = fsyncs/s, for
 durable single writes; L = rows/s in durable 1,000-put LMDB transactions,
 for imports, catch-up and reads; Ft = a latency in fsync times. The ratios
 are what compares across machines.)"
