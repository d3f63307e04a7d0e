"""tests/bench/match_scipy.py FILE RUNS: the reference for tests/bench/match.

Loads the matrix build/tests/bench/match wrote to FILE (a 16-byte header,
"MNLAP1" and two NULs then rows and cols as little-endian uint32, then
rows * cols little-endian int32, row-major), solves it RUNS times with
scipy.optimize.linear_sum_assignment(matrix, maximize=True) and prints
"RESULT rows=N cols=M total=T seconds=S", S the best of the runs. The matrix
is converted to float64 (what scipy solves in) before the clock starts, so
that, as on the C side, only the call to the solver is timed.
"""
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

HEADER = 16
MAGIC = b"MNLAP1\0\0"


def load(path):
    with open(path, "rb") as f:
        head = f.read(HEADER)
    if len(head) != HEADER or head[:8] != MAGIC:
        sys.exit(f"match_scipy: {path}: not a matrix file")
    rows, cols = np.frombuffer(head[8:], dtype="<u4")
    w = np.fromfile(path, dtype="<i4", offset=HEADER)
    if w.size != int(rows) * int(cols):
        sys.exit(f"match_scipy: {path}: {w.size} weights, not {rows}x{cols}")
    return w.reshape(int(rows), int(cols))


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit() or sys.argv[2] == "0":
        sys.exit("usage: match_scipy.py FILE RUNS")
    w = load(sys.argv[1])
    matrix = w.astype(np.float64)
    best = None
    for _ in range(int(sys.argv[2])):
        t0 = time.perf_counter()
        row, col = linear_sum_assignment(matrix, maximize=True)
        seconds = time.perf_counter() - t0
        best = seconds if best is None else min(best, seconds)
    total = int(w[row, col].astype(np.int64).sum())
    print(f"RESULT rows={w.shape[0]} cols={w.shape[1]} total={total} "
          f"seconds={best:.4f}")


if __name__ == "__main__":
    main()
