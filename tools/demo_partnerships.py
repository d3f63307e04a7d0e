#!/usr/bin/env python3
"""demo_partnerships — pair the demo participants through the real lifecycle.

    tools/demo_partnerships.py [--count N] [--seed S] [--movers M] NAME=URL=TOKENFILE ...

Every division's node is given as NAME=URL=TOKENFILE. The script reads each
division's participants from its own node, plans about N partnerships
(most inside a division, some across), and makes each one as coordinators
would: proposed on the mentee's home node, reserved there and on the
mentor's home node, then mostly ended (completed or cancelled) by the
mentee's home, which records what came of a completed one (an outcome:
mostly a job, else education, better Danish or a wider network); some are
declined by the mentor's home, and some stay active, each with two
meetings logged (PUT with ids made here, as clients make them). A mentor takes her mentees one after the other, up to her
capacity at a time. Then M mentors with an active partnership move to
another division (POST .../transfer on their home node) and take it along.

Deterministic for a seed and the same participants. Requests run on a
pool of threads, so many land in one group commit on each node. Prints
what it did; exits 1 when a request failed unexpectedly.
"""
import argparse
import concurrent.futures
import json
import random
import sys
import time
import urllib.error
import urllib.request

TIMEOUT_S = 30
# What another node wrote reaches this one in milliseconds, but not at
# once: a home that has not seen the proposal yet answers 404, one that has
# not seen the other side's reservation (or the end of a mentor's previous
# partnership) 409. Such answers are asked again for this long.
SETTLE_S = 30
SETTLE_CODES = {"not_found", "illegal_transition", "capacity_full", "slot_taken"}
THREADS = 16
REASONS_DONE = ["she found work in her field", "she started an education",
                "the agreed months are over", "she found work"]
REASONS_CANCELLED = ["the mentee moved away", "the pair did not match",
                     "illness", "the mentee had no time"]
# What came of a completed partnership, recorded by the mentee's home.
OUTCOMES = [("job", 46), ("education", 18), ("danish_improved", 18),
            ("network_grown", 18)]
TOPICS = ["job", "education", "language", "network", "wellbeing"]
MINUTES = ["went through her CV and two job adverts",
           "practised a job interview in Danish",
           "talked about courses and how to apply",
           "visited a workplace together"]
SECTORS = ["health care", "education", "finance", "public administration",
           "retail", "IT", "cleaning", "transport", "hospitality", "law"]


class Node:
    def __init__(self, spec):
        try:
            self.name, self.url, token_file = spec.split("=", 2)
        except ValueError:
            sys.exit(f"demo_partnerships: {spec}: use NAME=URL=TOKENFILE")
        with open(token_file, encoding="utf-8") as f:
            self.token = f.read().strip()
        status, health = self.call("GET", "/health")
        if status != 200:
            sys.exit(f"demo_partnerships: {self.name}: GET /v1/health: {status}")
        self.division = health["division_id"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/v1" + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


def settled(node, method, path, body=None):
    """node.call, asked again while the answer waits on replication."""
    deadline, pause = time.monotonic() + SETTLE_S, 0.005
    while True:
        status, answer = node.call(method, path, body)
        code = answer.get("error", {}).get("code") if status >= 400 else None
        if code not in SETTLE_CODES or time.monotonic() > deadline:
            return status, answer
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def participants(node):
    """Every participant whose home is node's division, from node."""
    out, cursor = [], None
    while True:
        path = f"/participants?division={node.name}&limit=500"
        if cursor:
            path += "&cursor=" + cursor
        status, page = node.call("GET", path)
        if status != 200:
            sys.exit(f"demo_partnerships: {node.name}: listing participants: {status}")
        out += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return out


def plan(nodes, count, rng):
    """[(mentee, mentor, fate)] grouped by mentor, in the order to make."""
    mentees, mentors = [], []
    for n in nodes:
        for p in participants(n):
            p["_home"] = n
            (mentees if p["role"] == "mentee" else mentors).append(p)
    rng.shuffle(mentees)
    by_div = {}
    for m in mentors:
        by_div.setdefault(m["_home"].name, []).append(m)
    pairs = {}
    for mentee in mentees[:count]:
        home = mentee["_home"].name
        pool = by_div.get(home) if rng.random() < 0.85 else None
        pool = pool or mentors
        mentor = rng.choice(pool)
        fate = rng.choices(["completed", "cancelled", "active", "declined", "open"],
                           [70, 10, 9, 6, 5])[0]
        pairs.setdefault(mentor["id"], (mentor, []))[1].append((mentee, fate))
    # Per mentor: the ones that end first, what stays open last, so her
    # reserved and active partnerships never pass her capacity.
    order = {"completed": 0, "cancelled": 0, "declined": 0, "active": 1, "open": 1}
    for mentor, todo in pairs.values():
        todo.sort(key=lambda t: order[t[1]])
        cap = mentor.get("capacity") or 1
        kept = 0
        for i, (mentee, fate) in enumerate(todo):
            if order[fate] == 1:
                kept += 1
                if kept > cap:
                    todo[i] = (mentee, "completed")
        todo.sort(key=lambda t: order[t[1]])
    return list(pairs.values())


def make_one(mentee, mentor, fate, rng_seed):
    """Run one partnership's lifecycle; returns (fate, error or None)."""
    rng = random.Random(rng_seed)
    home, mhome = mentee["_home"], mentor["_home"]
    status, p = home.call("POST", "/partnerships",
                          {"mentee_id": mentee["id"], "mentor_id": mentor["id"]})
    if status != 201:
        return fate, f"propose: {status} {p}"
    pid = p["id"]
    if fate == "open":
        return fate, None
    # A home answers every side it is home of: one call when both are.
    steps = [(home, "reserve")]
    if fate == "declined":
        steps = [(home, "decline")] if mhome is home else [(home, "reserve"),
                                                          (mhome, "decline")]
    elif mhome is not home:
        steps.append((mhome, "reserve"))
    for node, verb in steps:
        status, p = settled(node, "POST", f"/partnerships/{pid}/{verb}")
        if status != 200:
            return fate, f"{verb} on {node.name}: {status} {p}"
    if fate in ("completed", "cancelled"):
        reason = rng.choice(REASONS_DONE if fate == "completed" else REASONS_CANCELLED)
        status, p = settled(home, "POST", f"/partnerships/{pid}/end",
                            {"state": fate, "reason": reason})
        if status != 200:
            return fate, f"end: {status} {p}"
    if fate == "completed":
        return fate, record_outcome(home, mentee["id"], pid, p["end"]["date"], rng)
    if fate == "active":
        return fate, log_meetings(home, pid, rng)
    return fate, None


def meeting_id(division, rng):
    """A time-ordered id naming division in byte 9, as clients make them."""
    ms = int(time.time() * 1000)
    b = bytearray(ms.to_bytes(6, "big") + rng.randbytes(10))
    b[6] = 0x70 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    b[9] = division
    return b.hex()


def log_meetings(home, pid, rng):
    """Two meetings of an active pair, logged on the mentee's home with ids
    made here (PUT): None, or what went wrong."""
    for k in range(2):
        body = {"partnership_id": pid, "date": f"2026-{10 + k}-15T17:00:00Z",
                "minutes": rng.choice(MINUTES),
                "topics": rng.sample(TOPICS, 2), "duration_minutes": 120}
        mid = meeting_id(home.division, rng)
        status, p = home.call("PUT", f"/meetings/{mid}", body)
        if status != 201:
            return f"meeting: {status} {p}"
    return None


def record_outcome(home, mentee_id, pid, date, rng):
    """What came of it, on the mentee's home; None, or what went wrong."""
    kind = rng.choices([k for k, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    body = {"participant_id": mentee_id, "partnership_id": pid, "date": date,
            "kind": kind}
    if kind == "job":
        body["sector"] = rng.choice(SECTORS)
        body["qualifications_match"] = "yes" if rng.random() < 0.6 else "no"
    status, p = home.call("POST", "/outcomes", body)
    return None if status == 201 else f"outcome: {status} {p}"


def run_mentor(mentor, todo, seed):
    """One mentor's partnerships, in order (each ends before the next)."""
    results = []
    for k, (mentee, fate) in enumerate(todo):
        results.append(make_one(mentee, mentor, fate, seed * 7919 + k))
    return mentor, results


def move(mentor, nodes, rng):
    others = [n for n in nodes if n is not mentor["_home"]]
    to = rng.choice(others)
    status, p = mentor["_home"].call("POST", f"/participants/{mentor['id']}/transfer",
                                     {"to": to.name})
    return None if status == 200 else f"transfer: {status} {p}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2003)
    ap.add_argument("--movers", type=int, default=40)
    ap.add_argument("nodes", nargs="+", metavar="NAME=URL=TOKENFILE")
    args = ap.parse_args()
    nodes = [Node(s) for s in args.nodes]
    rng = random.Random(args.seed)
    work = plan(nodes, args.count, rng)
    counts, errors, active_mentors = {}, [], []
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run_mentor, m, todo, args.seed + i)
                   for i, (m, todo) in enumerate(work)]
        for f in concurrent.futures.as_completed(futures):
            mentor, results = f.result()
            for fate, err in results:
                counts[fate] = counts.get(fate, 0) + 1
                if err:
                    errors.append(err)
                elif fate == "active":
                    active_mentors.append(mentor)
    active_mentors.sort(key=lambda m: m["id"])
    moved = 0
    for mentor in rng.sample(active_mentors, min(args.movers, len(active_mentors))):
        err = move(mentor, nodes, rng)
        moved += err is None
        if err:
            errors.append(err)
    total = sum(counts.values())
    print(f"demo_partnerships: {total} partnerships made through the lifecycle: " +
          ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) +
          f"; {moved} mentors moved to another division with their partnership")
    for e in errors[:10]:
        print("demo_partnerships: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
