#!/usr/bin/env python3
"""A small local authority for the LA scenarios (docs/la.md), cut from the
example register: Kildwick (100001) and Russell Street (100002), each with its
own calendar, and Maisie Harper, who moves from Kildwick to Russell Street at
Christmas. Run from the repository root; writes beside this file."""
import csv, os

HERE = os.path.dirname(os.path.abspath(__file__))
MOVER = "Y999200123008"
MOVE = "2025-01-06"

def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))

def write(name, header, body):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)

pupils = rows("examples/pupils.csv")
header, pupils = pupils[0], pupils[1:]
a_upns = {p[0] for i, p in enumerate(pupils) if i % 2 == 0} | {MOVER}
b_upns = {p[0] for i, p in enumerate(pupils) if i % 2 == 1} | {MOVER}
for school, upns in (("a", a_upns), ("b", b_upns)):
    body = []
    for p in pupils:
        if p[0] not in upns:
            continue
        admitted, left = "", ""
        if p[0] == MOVER:
            left = "2024-12-20" if school == "a" else ""
            admitted = MOVE if school == "b" else ""
        body.append(p + [admitted, left])
    write("pupils-%s.csv" % school, header + ["admitted", "left"], body)

# Kildwick marks its register by its own times; Russell Street keeps the example's.
for school, source, upns in (("a", "examples/marks-kildwick.csv", a_upns), ("b", "examples/marks.csv", b_upns)):
    marks = rows(source)
    body = []
    for m in marks[1:]:
        if m[0] not in upns:
            continue
        if m[0] == MOVER and ((school == "a" and m[1] >= MOVE) or (school == "b" and m[1] < MOVE)):
            continue
        if school == "b" and m[1] == "2025-01-06":
            continue          # Russell Street's INSET day
        body.append(m)
    write("marks-%s.csv" % school, marks[0], body)
