#!/usr/bin/env python3
"""Writes the register of the scenario lang-times (committed; rerun only to change it).

Two school years: autumn 1 and summer 2 of 2023/24, autumn 1 of 2024/25.
"""
import os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from register_csv import school_days, write_register  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TERMS = [("2023-09-04", "2023-10-20", "Autumn 1"), ("2024-06-03", "2024-07-19", "Summer 2"),
         ("2024-09-02", "2024-10-25", "Autumn 1")]



def absent(first, last, n, code="O"):
    """The first n sessions from first to last, absent."""
    out = {}
    for day in school_days(TERMS, first, last):
        for s in ("AM", "PM"):
            if len(out) < n:
                out[(day.isoformat(), s)] = code
    return out

LAST_YEAR = ("2023-09-04", "2024-07-19")  # 35 + 35 = 70 school days, 140 sessions
PUPILS = [
    # Last school year 126/140 = 90%: at the line, not below national.
    ("K100000000001", "Line", "Lena", absent(*LAST_YEAR, 14)),
    # 125/140: below national (89.29%).
    ("K100000000002", "Below", "Ben", absent(*LAST_YEAR, 15)),
    # Stage 1 on 3 September 2024 (absent all 4 sessions so far: 0%); attendance has risen since,
    # so Stage 2 (no improvement) is never reached.
    ("K100000000003", "Better", "Bea", {**absent("2023-09-04", "2023-10-18", 8),
                                        **absent("2024-09-02", "2024-10-25", 4),
                                        **absent("2024-09-09", "2024-10-25", 3)}),
    # Stage 1 on 13 September 2024 with 4 of 20 sessions absent (80%); then 2 of every 10 absent:
    # on 11 October 2024, 48 of 60 = 80%, exactly the rate when Stage 1 began: no improvement.
    # A year ago (18 October 2023) 100%, now less: worse than a year ago.
    ("K100000000004", "Same", "Sam", {**absent("2024-09-12", "2024-09-13", 4),
                                      **absent("2024-09-16", "2024-09-20", 2),
                                      **absent("2024-09-23", "2024-09-27", 2),
                                      **absent("2024-09-30", "2024-10-04", 2),
                                      **absent("2024-10-07", "2024-10-11", 2)}),
]

write_register(HERE, TERMS, PUPILS)
