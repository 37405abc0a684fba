#!/usr/bin/env python3
"""Writes the scenario registers in this folder (committed; rerun only to change them).

calendar.csv: autumn 2024 and spring 1 2025, with the October half-term holiday and an INSET day.
Each pupil below has a pattern built to sit exactly on one boundary the scenarios test.
"""
import csv, datetime as dt, os

HERE = os.path.dirname(os.path.abspath(__file__))
HALF_TERMS = [("2024-09-02", "2024-10-25", "Autumn 1"),
              ("2024-11-04", "2024-12-20", "Autumn 2"),
              ("2025-01-06", "2025-02-14", "Spring 1")]
CLOSURES = [("2024-09-02", "", "INSET day")]

def d(s): return dt.date.fromisoformat(s)

def school_days():
    closed = {d(c[0]) for c in CLOSURES}
    for start, end, _ in HALF_TERMS:
        day = d(start)
        while day <= d(end):
            if day.weekday() < 5 and day not in closed:
                yield day
            day += dt.timedelta(days=1)

DAYS = list(school_days())

def week_of(day): return day - dt.timedelta(days=day.weekday())

# Each pupil: (upn, surname, forename, function day, session -> (code, minutes_late) or None for present)
def present(day, s): return None

def absent_on(dates, code, sessions=("AM", "PM")):
    dates = {d(x) for x in dates}
    return lambda day, s: (code, None) if day in dates and s in sessions else None

def combine(*fs):
    def f(day, s):
        for g in fs:
            r = g(day, s)
            if r: return r
        return None
    return f

def sessions_in_week(monday, code, n):
    """n sessions of `code` in the school week starting `monday` (AM then PM from Monday)."""
    slots = [(monday + dt.timedelta(days=i), s) for i in range(5) for s in ("AM", "PM")][:n]
    slots = set(slots)
    return lambda day, s: (code, None) if (day, s) in slots else None

PUPILS = [
    # Penalty threshold: 9 against 10 unauthorised sessions in the last 10 school weeks (to 2024-11-29).
    ("T100000000001", "Nine", "Nina", sessions_in_week(d("2024-11-11"), "O", 9)),
    ("T100000000002", "Ten", "Tom", sessions_in_week(d("2024-11-11"), "O", 10)),
    # A window that reaches back over the October half-term holiday: 4 G in the week of 16 September
    # and 6 in the week of 25 November are 10 within 10 school weeks (the holiday week is skipped),
    # but would be 11 calendar weeks apart.
    ("T100000000003", "Holiday", "Hana", combine(sessions_in_week(d("2024-09-16"), "G", 4),
                                               sessions_in_week(d("2024-11-25"), "G", 6))),
    # The same, one school week earlier: outside the window.
    ("T100000000004", "Early", "Eli", combine(sessions_in_week(d("2024-09-09"), "G", 4),
                                            sessions_in_week(d("2024-11-25"), "G", 6))),
    # Lateness at Russell Street's close (09:00, opens 08:35): L recorded at 25 minutes late (09:00)
    # agrees; L recorded at 26 minutes late (09:01) disagrees (the policy gives U).
    ("T100000000005", "Late", "Lara", lambda day, s: ("L", 25) if (day, s) == (d("2024-09-10"), "AM")
        else ("L", 26) if (day, s) == (d("2024-09-11"), "AM") else None),
    # Kildwick's schedule: 10 sessions missed by half term 1. Nine sessions of illness in
    # autumn 1 against ten.
    ("T100000000006", "Schedule", "Sam", combine(sessions_in_week(d("2024-09-23"), "I", 9))),
    ("T100000000007", "Schedule", "Sara", combine(sessions_in_week(d("2024-09-23"), "I", 10))),
]

def main():
    with open(os.path.join(HERE, "calendar.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["kind", "start", "end", "session", "name"])
        for start, end, name in HALF_TERMS:
            w.writerow(["half_term", start, end, "", name])
        for date, session, name in CLOSURES:
            w.writerow(["closure", date, date, session, name])
    with open(os.path.join(HERE, "pupils.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["upn", "surname", "forename", "year_group"])
        for upn, sur, fore, _ in PUPILS:
            w.writerow([upn, sur, fore, 5])
    end = d("2024-12-20")
    with open(os.path.join(HERE, "marks.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["upn", "date", "session", "code", "minutes_late"])
        for upn, _, _, fn in PUPILS:
            for day in DAYS:
                if day > end: break
                for s in ("AM", "PM"):
                    r = fn(day, s)
                    code, late = r if r else ("/" if s == "AM" else "\\", None)
                    w.writerow([upn, day.isoformat(), s, code, "" if late is None else late])

if __name__ == "__main__":
    main()
