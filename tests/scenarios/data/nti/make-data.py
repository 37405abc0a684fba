#!/usr/bin/env python3
"""Writes the Notice to Improve scenario's register (committed; rerun only to change it).

Autumn 2024 with the October half-term holiday. Every pupil is present except as listed:
the threshold (10 penalty sessions in 10 school weeks) is met on Friday 20 September 2024.
The improvement period of 6 school weeks runs from the week of 16 September; the October
half-term week has no school, so the period is over on Monday 4 November 2024.
"""
import os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from register_csv import write_register  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TERMS = [("2024-09-02", "2024-10-25", "Autumn 1"), ("2024-11-04", "2024-12-20", "Autumn 2")]
WEEK = ["2024-09-16", "2024-09-17", "2024-09-18", "2024-09-19", "2024-09-20"]



def week(code):
    return {(x, s): code for x in WEEK for s in ("AM", "PM")}

PUPILS = [
    # 10 sessions of O, one more O during the improvement period: no improvement.
    ("N100000000001", "Offence", "Olu", {**week("O"), ("2024-10-01", "AM"): "O"}),
    # 10 sessions of O and nothing after: improvement exactly at the line (0 sessions).
    ("N100000000002", "Improved", "Ima", week("O")),
    # A week's term-time holiday: support is not appropriate, straight to a penalty notice.
    ("N100000000003", "Holiday", "Hal", week("G")),
    # 9 sessions of holiday and one of O: the holiday alone is below the threshold.
    ("N100000000004", "Mixed", "Max", {**week("G"), ("2024-09-20", "PM"): "O"}),
]

write_register(HERE, TERMS, PUPILS,
               [(u, "Q%d" % i, "Parent %s" % surname) for i, (u, surname, _, _) in enumerate(PUPILS, 1)]
               + [(PUPILS[0][0], "Q5", "Second Offence")])  # Olu has two parents: each is owed a notice
