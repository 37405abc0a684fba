"""Writes a scenario register's CSV files: the calendar (one row per half term), the pupils and
their marks (present unless listed), and optionally parents. Shared by the make-data.py scripts."""
import csv, datetime as dt, os

def school_days(terms, first=None, last=None):
    """Weekdays of the half terms [(start, end, name)], optionally only from first to last."""
    for start, end, _ in terms:
        day = dt.date.fromisoformat(start)
        while day <= dt.date.fromisoformat(end):
            if day.weekday() < 5 and (first is None or
                                      dt.date.fromisoformat(first) <= day <= dt.date.fromisoformat(last)):
                yield day
            day += dt.timedelta(days=1)

def _write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)

def write_register(here, terms, pupils, parents=()):
    """pupils: [(upn, surname, forename, {(date, "AM"|"PM"): code})]; parents: [(upn, id, name)]."""
    _write(os.path.join(here, "calendar.csv"), ["kind", "start", "end", "session", "name"],
           [["half_term", s, e, "", n] for s, e, n in terms])
    _write(os.path.join(here, "pupils.csv"), ["upn", "surname", "forename", "year_group"],
           [[u, s, f, 5] for u, s, f, _ in pupils])
    _write(os.path.join(here, "marks.csv"), ["upn", "date", "session", "code", "minutes_late"],
           [[u, day.isoformat(), s, marks.get((day.isoformat(), s), "/" if s == "AM" else "\\"), ""]
            for u, _, _, marks in pupils for day in school_days(terms) for s in ("AM", "PM")])
    if parents:
        _write(os.path.join(here, "parents.csv"), ["upn", "parent_id", "name", "relationship"],
               [[u, i, n, ""] for u, i, n in parents])
