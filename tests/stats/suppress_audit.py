#!/usr/bin/python3
"""suppress_audit — audit a suppression pattern as a statistics office does.

    /usr/bin/python3 suppress_audit.py [--expect-disclosure] [--naive] FILE

FILE is a GET /v1/stats answer (JSON), or anything with its "tables". For
every hidden cell ("<5" or "x") the audit computes the smallest and the
largest value the cell can take given every published figure — every
published cell, every row and column total and every grand total of every
table of the same unit (what the tables count: participants, mentees,
partnerships, ...) — with scipy.optimize.linprog. The unknowns are the
counts of the unit's full cross-classification (for participants:
division x role x status x year), so tables that share totals are audited
jointly, as linked tables must be. A "<5" cell lies in 1..4, an "x" cell
is 0 or more. A cell whose interval has width 0 is disclosed.

--naive: first replace the pattern by primary suppression only (every
count 1..4 shown as "<5", nothing else hidden), from an unsuppressed
answer: what the audit says of the naive rule.

Exits 0 when no hidden cell is disclosed (with --expect-disclosure: when
at least one is), 1 otherwise, 2 on bad input. Run it with Debian's
python3 (python3-scipy): /usr/bin/python3.
"""
import argparse
import itertools
import json
import sys

import numpy as np
from scipy.optimize import linprog

HIDDEN = ("<5", "x")
TOLERANCE = 1e-6


def fail(msg):
    print(f"suppress_audit: {msg}", file=sys.stderr)
    sys.exit(2)


def naive(table):
    """Primary suppression only: counts 1..4 become "<5"."""
    table["cells"] = [[("<5" if isinstance(v, int) and 1 <= v <= 4 else v)
                       for v in row] for row in table["cells"]]


def unit_dims(tables):
    """The unit's dimensions and their labels, in order of appearance."""
    dims = {}
    for t in tables:
        pairs = [(t["rows_are"], t["rows"])]
        if t.get("columns_are"):
            pairs.append((t["columns_are"], t["columns"]))
        for name, labels in pairs:
            if name in dims and dims[name] != labels:
                fail(f"{t['id']}: its {name} labels differ from another "
                     "table's of the same unit")
            dims.setdefault(name, labels)
    return dims


class Unit:
    """The LP of one unit: variables are the cells of the full cube."""

    def __init__(self, name, tables):
        self.name, self.tables = name, tables
        self.dims = unit_dims(tables)
        self.names = list(self.dims)
        shape = [len(self.dims[n]) for n in self.names]
        self.coords = np.array(list(itertools.product(*[range(k) for k in shape])),
                               dtype=int).reshape(-1, len(shape))
        self.nvars = len(self.coords)
        self.eq, self.eq_b, self.ub, self.ub_b = [], [], [], []
        self.hidden = []  # (table id, row label, column label, member mask)

    def mask(self, fixed):
        """Variables whose coordinates match fixed {dim: index}."""
        m = np.ones(self.nvars, dtype=bool)
        for name, i in fixed.items():
            m &= self.coords[:, self.names.index(name)] == i
        return m.astype(float)

    def add_table(self, t):
        two_way = bool(t.get("columns_are"))
        for r, row in enumerate(t["cells"]):
            for c, v in enumerate(row):
                fixed = {t["rows_are"]: r}
                if two_way:
                    fixed[t["columns_are"]] = c
                self.add_cell(t, r, c, v, self.mask(fixed))
        self.add_totals(t, two_way)

    def add_cell(self, t, r, c, v, m):
        if v == "<5":
            self.ub += [m, -m]
            self.ub_b += [4, -1]
        elif v == "x":
            pass  # 0 or more: the variables' own bound
        elif isinstance(v, int):
            self.eq.append(m)
            self.eq_b.append(v)
            return
        else:
            fail(f"{t['id']}: cell {v!r} is neither a count nor <5 nor x")
        self.hidden.append((t["id"], t["rows"][r], t["columns"][c], m))

    def add_totals(self, t, two_way):
        for r, v in enumerate(t.get("row_totals") or []):
            self.eq.append(self.mask({t["rows_are"]: r}))
            self.eq_b.append(v)
        for c, v in enumerate(t.get("column_totals") or []):
            self.eq.append(self.mask({t["columns_are"]: c}) if two_way
                           else np.ones(self.nvars))
            self.eq_b.append(v)
        if t["total"] == "<5":  # a total that is itself small
            self.ub += [np.ones(self.nvars), -np.ones(self.nvars)]
            self.ub_b += [4, -1]
        else:
            self.eq.append(np.ones(self.nvars))
            self.eq_b.append(t["total"])

    def solve(self, objective):
        res = linprog(objective,
                      A_ub=np.array(self.ub) if self.ub else None,
                      b_ub=np.array(self.ub_b) if self.ub else None,
                      A_eq=np.array(self.eq) if self.eq else None,
                      b_eq=np.array(self.eq_b) if self.eq else None,
                      bounds=(0, None), method="highs")
        if res.status != 0:
            fail(f"unit {self.name}: the published figures admit no table "
                 f"({res.message})")
        return res.fun

    def audit(self):
        """Print each hidden cell's interval; return how many are fixed."""
        disclosed = 0
        for tid, row, col, m in self.hidden:
            lo, hi = self.solve(m), -self.solve(-m)
            if hi - lo <= TOLERANCE:
                disclosed += 1
                print(f"  DISCLOSED {tid} [{row}, {col}]: exactly {lo:g}")
            else:
                print(f"  ok        {tid} [{row}, {col}]: {lo:g} .. {hi:g}")
        return disclosed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expect-disclosure", action="store_true")
    ap.add_argument("--naive", action="store_true")
    ap.add_argument("file")
    args = ap.parse_args()
    with open(args.file, encoding="utf-8") as f:
        tables = json.load(f).get("tables")
    if not isinstance(tables, list) or not tables:
        fail(f"{args.file}: no tables")
    units = {}
    for t in tables:
        if args.naive:
            naive(t)
        units.setdefault(t["unit"], []).append(t)
    disclosed = hidden = 0
    for name, ts in units.items():
        unit = Unit(name, ts)
        for t in ts:
            unit.add_table(t)
        print(f"unit {name}: {len(ts)} table(s), {unit.nvars} unknowns "
              f"({' x '.join(unit.names)}), {len(unit.eq)} published "
              f"figures, {len(unit.hidden)} hidden cells")
        hidden += len(unit.hidden)
        disclosed += unit.audit()
    print(f"suppress_audit: {hidden} hidden cells, {disclosed} disclosed")
    if args.expect_disclosure:
        sys.exit(0 if disclosed > 0 else 1)
    sys.exit(1 if disclosed else 0)


if __name__ == "__main__":
    main()
