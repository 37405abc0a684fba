#!/usr/bin/env python3
"""Writes small-pupils.csv and small-marks.csv, the register of small.ctf.xml in
attend's own CSV layout (docs/schema.md), and small-marks-grid.csv, the same
marks for 9-20 September 2024 only (the fortnight grid.csv covers). Decoded here
with the standard library, independently of attend's CTF reader, so that the
tests can compare the two imports' `attend run` output.

usage: make-equivalents.py   (from tests/import/data)
"""
import csv
import datetime as dt
import xml.etree.ElementTree as ET

root = ET.parse("small.ctf.xml").getroot()
pupils, marks = [], []
for p in root.iter("Pupil"):
    upn = p.findtext("UPN")
    pupils.append([upn, p.findtext("Surname"), p.findtext("Forename"), p.findtext("DOB"),
                   "0" if p.findtext("BasicDetails/NCyearActual") == "R" else p.findtext("BasicDetails/NCyearActual")])
    for y in p.iter("YearData"):
        start = dt.date.fromisoformat(y.findtext("AttendSessions/AttendanceStartDate"))
        s = y.findtext("AttendSessions/AttendanceMarks")
        for k, c in enumerate(s):
            if c != "#":
                marks.append([upn, (start + dt.timedelta(days=k // 2)).isoformat(), "PM" if k % 2 else "AM", c])

with open("small-pupils.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["upn", "surname", "forename", "date_of_birth", "year_group"])
    w.writerows(pupils)
for name, keep in (("small-marks.csv", lambda d: True),
                   ("small-marks-grid.csv", lambda d: "2024-09-09" <= d <= "2024-09-20")):
    with open(name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["upn", "date", "session", "code"])
        w.writerows(m for m in marks if keep(m[1]))
