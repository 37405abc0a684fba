#!/usr/bin/env python3
"""Writes the example register (calendar, pupils, marks) and checks its arithmetic.

    python3 examples/make-register.py            # writes the CSV files beside this script
    python3 examples/make-register.py --check    # writes nothing, prints the summary only

Deterministic: no randomness, no clock. The same pupils attend two schools'
registers here, each kept by that school's own rules:

  marks.csv           Russell Street School's register (its times; keeps I01/I02)
  marks-kildwick.csv  Kildwick CE Primary School's register (its times; I01/I02 as I)

A pupil's arrival time is the fact; each school's register turns it into "/", "L"
or "U" with that school's arrival rules (policies/*.policy, `register` blocks), and
minutes_late counts from the school's AM register opening (Russell Street 08:35,
Kildwick 08:55). Import one marks file per database, never both.

The summary re-implements the measures and the rules of policies/russell-street.policy
and policies/kildwick.policy (as their comments read them) with exact fractions, so
that examples/README.md and the engine can be checked against it.
"""

import csv
import datetime as dt
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
D = dt.date.fromisoformat

# --------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------

HALF_TERMS = [  # (start, end, name): the school's own half terms, 2024-25
    ("2024-09-04", "2024-10-25", "Autumn 1"),
    ("2024-11-04", "2024-12-20", "Autumn 2"),
    ("2025-01-06", "2025-02-14", "Spring 1"),
]
CLOSURES = [  # (start, end, session or "" for both, name)
    ("2024-12-20", "2024-12-20", "PM", "Christmas: school closes at lunchtime"),
    ("2025-01-06", "2025-01-06", "", "INSET day"),
]

# school_days: date -> (half term number, sessions open ["AM","PM"])
school_days = {}
for n, (s, e, _) in enumerate(HALF_TERMS, start=1):
    d = D(s)
    while d <= D(e):
        if d.weekday() < 5:
            school_days[d] = (n, ["AM", "PM"])
        d += dt.timedelta(days=1)
for s, e, sess, _ in CLOSURES:
    d = D(s)
    while d <= D(e):
        if d in school_days:
            ht, open_ = school_days[d]
            open_ = [x for x in open_ if sess and x != sess]
            if open_:
                school_days[d] = (ht, open_)
            else:
                del school_days[d]
        d += dt.timedelta(days=1)
DAYS = sorted(school_days)
LAST_DAY = DAYS[-1]


def sdays(a, b):
    """School days from a to b inclusive."""
    return [d for d in DAYS if D(a) <= d <= D(b)]


# --------------------------------------------------------------------------
# Codes (policies/england-2024.policy; Russell Street's I01 and I02 map to I)
# --------------------------------------------------------------------------

PRESENT = {"/", "\\", "L"}
EDUCATIONAL = {"K", "V", "P", "W", "B"}
AUTHORISED = {"C", "C1", "C2", "E", "I", "J1", "M", "R", "S", "T", "I01", "I02"}
UNAUTHORISED = {"G", "N", "O", "U"}
NOT_POSSIBLE = {"X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "D", "Z", "#"}
PENALTY = {"G", "N", "O", "U"}

# --------------------------------------------------------------------------
# Schools' register rules (from the policies' `register` blocks)
# --------------------------------------------------------------------------


def hm(s):
    h, m = s.split(":")
    return int(h) * 60 + int(m)


SCHOOLS = {
    "russell-street": {
        "file": "marks.csv",
        "am_opens": hm("08:35"),
        "arrival": [(hm("08:35"), "L"), (hm("09:00"), "U")],   # strictly after -> code
        "subcodes": True,
    },
    "kildwick": {
        "file": "marks-kildwick.csv",
        "am_opens": hm("08:55"),
        "arrival": [(hm("09:10"), "L"), (hm("09:30"), "U")],
        "subcodes": False,                                      # I01/I02 recorded as I
    },
}

# --------------------------------------------------------------------------
# Pupils. Each: upn serial, surname, forename, year group, note, and events:
#   ("code", CODE, [dates], sessions)   sessions "AM", "PM" or "both"
#   ("arrive", "HH:MM", [dates])        AM arrival time (late or not)
# Everything not named is present ("/" AM, "\" PM).
# --------------------------------------------------------------------------


def upn(la, estab, year, serial):
    """A DfE-format UPN: check letter + LA (3) + establishment (4) + year (2) + serial (3)."""
    digits = f"{la:03d}{estab:04d}{year:02d}{serial:03d}"
    total = sum(int(c) * w for c, w in zip(digits, range(2, 14)))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + digits


def ds(*xs):
    return [D(x) for x in xs]


PUPILS = [
    # Year 1
    (1, "Ashworth", "Amelia", 1, "perfect attendance", []),
    (2, "Begum", "Ruksana", 1, "absent today, no reason yet (N)",
     [("code", "N", ds("2025-02-14"), "both")]),
    (3, "Clarke", "Oliver", 1, "ill for the last three days",
     [("code", "I", sdays("2025-02-12", "2025-02-14"), "both")]),
    (4, "Dobson", "Isla", 1, "9 sessions of illness, spread",
     [("code", "I", ds("2024-09-10", "2024-10-08", "2024-11-19", "2025-01-14"), "both"),
      ("code", "I", ds("2025-02-04"), "AM")]),
    (5, "Evans", "Noah", 1, "15 sessions of illness and appointments",
     [("code", "I", ds("2024-09-17", "2024-09-18", "2024-10-15", "2024-11-26", "2024-12-10", "2025-01-22"), "both"),
      ("code", "M", ds("2025-02-06", "2025-02-11", "2025-02-13"), "PM")]),
    (6, "Fletcher", "Grace", 1, "joined 5 Sep (Z on 4 Sep); taxi failed one morning (Y1); exactly 10.0% absent",
     [("code", "Z", ds("2024-09-04"), "both"),
      ("code", "Y1", ds("2024-09-18"), "AM"),
      ("code", "I", ds("2024-09-25", "2024-10-09", "2024-10-22", "2024-11-12", "2024-11-28",
                       "2024-12-05", "2024-12-17", "2025-01-09", "2025-01-23", "2025-02-05"), "both")]),
    (7, "Gallagher", "Leo", 1, "joined 5 Sep (Z on 4 Sep); 20 sessions absent of 201: 9.95%",
     [("code", "Z", ds("2024-09-04"), "both"),
      ("code", "I", ds("2024-09-25", "2024-10-09", "2024-10-22", "2024-11-12", "2024-11-28",
                       "2024-12-05", "2024-12-17", "2025-01-09", "2025-01-23", "2025-02-05"), "both")]),
    (8, "Harper", "Maisie", 1, "stopped attending on 18 Nov: severe absence, missing education",
     [("code", "I", ds("2024-10-02"), "both"),
      ("code", "N", sdays("2024-11-18", "2024-11-19"), "both"),
      ("code", "O", sdays("2024-11-20", "2025-02-14"), "both")]),
    (9, "Iqbal", "Zain", 1, "term-time holiday 20-24 Jan (G): 10 sessions",
     [("code", "G", sdays("2025-01-20", "2025-01-24"), "both")]),
    (10, "Jones", "Freya", 1, "term-time holiday 21-24 Jan (G) and one U: 9 sessions",
     [("code", "G", sdays("2025-01-21", "2025-01-24"), "both"),
      ("arrive", "09:40", ds("2025-02-05"))]),
    # Year 2
    (11, "Kowalski", "Jakub", 2, "holidays around the start of term and October half term, two late after close",
     [("code", "G", ds("2024-09-04", "2024-09-05"), "both"),
      ("code", "G", ds("2024-10-24", "2024-10-25"), "both"),
      ("arrive", "09:40", ds("2024-11-05", "2024-11-12"))]),
    (12, "Lewis", "Harry", 2, "arrives 08:59 one morning and 09:01 the next",
     [("arrive", "08:59", ds("2025-01-08")),
      ("arrive", "09:01", ds("2025-01-09"))]),
    (13, "Mensah", "Abena", 2, "often late in January (09:12-09:31)",
     [("arrive", "09:15", ds("2025-01-07")), ("arrive", "09:20", ds("2025-01-08")),
      ("arrive", "09:12", ds("2025-01-09")), ("arrive", "09:29", ds("2025-01-13")),
      ("arrive", "09:31", ds("2025-01-14")), ("arrive", "09:18", ds("2025-01-15")),
      ("arrive", "09:25", ds("2025-01-21"))]),
    (14, "Nowak", "Lena", 2, "late all half term, still late in February",
     [("arrive", "09:15", ds("2025-01-08")), ("arrive", "09:20", ds("2025-01-10")),
      ("arrive", "09:14", ds("2025-01-15")), ("arrive", "09:22", ds("2025-01-22")),
      ("arrive", "09:17", ds("2025-01-29")), ("arrive", "09:45", ds("2025-02-04")),
      ("arrive", "09:16", ds("2025-02-10")), ("arrive", "09:19", ds("2025-02-12"))]),
    (15, "O'Brien", "Sophie", 2, "ill (I01) 2-4 Dec, covid (I02) 16-17 Jan",
     [("code", "I01", sdays("2024-12-02", "2024-12-04"), "both"),
      ("code", "I02", sdays("2025-01-16", "2025-01-17"), "both")]),
    (16, "Patel", "Arjun", 2, "32 sessions of illness, 10 of them in Autumn 1",
     [("code", "I", ds("2024-09-12", "2024-09-26", "2024-10-03", "2024-10-17", "2024-10-23",
                       "2024-11-07", "2024-11-14", "2024-11-21", "2024-12-03", "2024-12-12",
                       "2025-01-07", "2025-01-15", "2025-01-29", "2025-02-03", "2025-02-06",
                       "2025-02-10"), "both")]),
    (17, "Quinn", "Ellis", 2, "11 school days unexplained (O) 27 Jan-10 Feb, back since",
     [("code", "O", sdays("2025-01-27", "2025-02-10"), "both")]),
    (18, "Roberts", "Maya", 2, "10 school days unexplained (O) 13-24 Jan",
     [("code", "O", sdays("2025-01-13", "2025-01-24"), "both")]),
    (19, "Singh", "Aarav", 2, "school trips (V), sport (P), off-site activity (B): all attendance",
     [("code", "V", sdays("2024-10-10", "2024-10-11"), "both"),
      ("code", "P", ds("2024-11-22", "2025-02-07"), "PM"),
      ("code", "B", ds("2025-01-29"), "AM")]),
    (20, "Turner", "Ruby", 2, "suspended 13-15 Jan (E), two appointments (M)",
     [("code", "E", sdays("2025-01-13", "2025-01-15"), "both"),
      ("code", "M", ds("2024-10-01", "2024-12-11"), "AM")]),
]

LA, ESTAB = 999, 2001   # fictional local authority and establishment numbers

# Parents for the letters (all fictional): one or two per pupil, serial -> [(forename, relationship)].
# Pupil 17's parents live apart, so each gets a letter of their own; the others share an address.
PARENT_NAMES = {
    1: [("Claire", "mother")], 2: [("Nasreen", "mother"), ("Imran", "father")], 3: [("David", "father")],
    4: [("Emma", "mother")], 5: [("Rhys", "father")], 6: [("Joanne", "mother")], 7: [("Siobhan", "mother")],
    8: [("Kerry", "mother")], 9: [("Farah", "mother"), ("Tariq", "father")], 10: [("Lucy", "mother")],
    11: [("Marta", "mother"), ("Piotr", "father")], 12: [("Gareth", "father")], 13: [("Ama", "mother")],
    14: [("Katarzyna", "mother")], 15: [("Aoife", "mother")], 16: [("Priya", "mother"), ("Raj", "father")],
    17: [("Dana", "parent"), ("Sam", "parent")], 18: [("Jade", "mother")], 19: [("Simran", "mother")],
    20: [("Chloe", "mother")],
}
STREETS = ["Acacia Avenue", "Beech Road", "Cedar Close", "Damson Lane", "Elm Grove"]


def parents(p):
    """Rows upn,parent_id,name,relationship,address for pupil p (a made-up address in Exampletown)."""
    serial, surname = p[0], p[1]
    rows = []
    for i, (forename, relationship) in enumerate(PARENT_NAMES[serial]):
        home = serial + (40 if serial == 17 and i == 1 else 0)   # Sam Quinn lives elsewhere
        street = STREETS[home % len(STREETS)]
        address = f"{home} {street}\nExampletown EX{1 + home % 4} {home % 9}AB"
        rows.append((pupil_upn(p), f"P{serial:02d}{i + 1}", f"{forename} {surname}", relationship, address))
    return rows


def pupil_upn(p):
    serial, *_rest = p
    year = _rest[2]
    return upn(LA, ESTAB, 24 - year, serial)   # allocated on entry to reception


def register(p, school):
    """{(date, session): (code, minutes_late or None)} for every school session."""
    rules = SCHOOLS[school]
    marks = {}
    for d in DAYS:
        for s in school_days[d][1]:
            marks[(d, s)] = ("/" if s == "AM" else "\\", None)
    for ev in p[5]:
        if ev[0] == "code":
            _, code, dates, sess = ev
            if not rules["subcodes"] and code in ("I01", "I02"):
                code = "I"
            for d in dates:
                assert d in school_days, (p[1], d)
                for s in (["AM", "PM"] if sess == "both" else [sess]):
                    if s in school_days[d][1]:
                        marks[(d, s)] = (code, None)
        else:
            _, when, dates = ev
            t = hm(when)
            for d in dates:
                assert d in school_days, (p[1], d)
                code = "/"
                for after, c in rules["arrival"]:
                    if t > after:
                        code = c
                late = t - rules["am_opens"] if code != "/" else None
                marks[(d, "AM")] = (code, late)
    return marks


# --------------------------------------------------------------------------
# Measures (runtime/eval.h, docs/architecture.md) with exact fractions
# --------------------------------------------------------------------------


def week_of(d):
    return d - dt.timedelta(days=d.weekday())


def measures(marks, as_of):
    days = [d for d in DAYS if d <= as_of]
    ht = school_days[as_of][0] if as_of in school_days else 0
    codes = [(d, s, marks[(d, s)][0]) for d in days for s in school_days[d][1]]
    possible = sum(1 for _, _, c in codes if c not in NOT_POSSIBLE)
    present = sum(1 for _, _, c in codes if c in PRESENT | EDUCATIONAL)
    absent = sum(1 for _, _, c in codes if c in AUTHORISED | UNAUTHORISED)
    unauth = sum(1 for _, _, c in codes if c in UNAUTHORISED)

    def consecutive(codeset):
        n = 0
        for d in reversed(days):
            poss = [marks[(d, s)][0] for s in school_days[d][1] if marks[(d, s)][0] not in NOT_POSSIBLE]
            if poss and all(c in codeset for c in poss):
                n += 1
            else:
                break
        return n

    weeks = sorted({week_of(d) for d in DAYS if d <= as_of})

    def last_weeks(n):
        w = set(weeks[-n:])
        return [(d, s, c) for d, s, c in codes if week_of(d) in w]

    return {
        "half_term": ht,
        "possible": possible,
        "present": present,
        "absent": absent,
        "unauthorised": unauth,
        "attendance": Fraction(100 * present, possible) if possible else Fraction(0),
        "absence": Fraction(100 * absent, possible) if possible else Fraction(0),
        "absent_days": Fraction(absent, 2),
        "consec_absent": consecutive(AUTHORISED | UNAUTHORISED),
        "consec_N": consecutive({"N"}),
        "NO_days": Fraction(sum(1 for _, _, c in codes if c in ("N", "O")), 2),
        "penalty_10w": sum(1 for _, _, c in last_weeks(10) if c in PENALTY),
        "window_10w": (min(weeks[-10:]), max(weeks[-10:])),
        "unauth_4w": sum(1 for _, _, c in last_weeks(4) if c in UNAUTHORISED),
        "late_4w": sum(1 for _, _, c in last_weeks(4) if c in ("L", "U")),
        "late_ht": sum(1 for d, _, c in codes if c in ("L", "U") and school_days[d][0] == ht),
    }


SCHEDULE = {1: 10, 2: 22, 3: 30, 4: 38, 5: 46}


def russell_street(m):
    stages = []
    if m["consec_absent"] >= 1:
        stages.append(1)
    if m["consec_absent"] >= 3:
        stages.append(2)
    if m["consec_absent"] >= 6 or m["attendance"] < Fraction(965, 10):
        stages.append(3)
    if m["absent_days"] > 10 or m["attendance"] < 95:
        stages.append(4)
    return stages


def flags(m):
    f = []
    if m["absence"] >= 10:
        f.append("persistent_absence")
    if m["absence"] >= 50:
        f.append("severe_absence")
    return f


def kildwick(m):
    f = flags(m)
    sched = SCHEDULE.get(m["half_term"])
    if sched is not None and m["absent"] >= sched:
        f.append("likely_persistent_absence")
    if m["consec_N"] >= 1:
        f.append("unexplained_absence")
    if m["NO_days"] > 10:
        f.append("children_missing_education")
    stages = []
    s1 = "persistent_absence" in f or "likely_persistent_absence" in f or m["late_ht"] >= 6
    if s1:
        stages.append(1)
    if s1 and (m["unauth_4w"] >= 4 or m["late_4w"] >= 4):
        stages.append(2)
    return stages, f


def pct(fr):
    return f"{float(fr):.2f}%"


def outcome(p, school, as_of):
    m = measures(register(p, school), as_of)
    if school == "russell-street":
        return m, russell_street(m), flags(m)
    return (m, *kildwick(m))


def summary(as_of, out, everyone=True):
    """Two lines per pupil and school: the figures, then what the policy gives.
    Unless `everyone`, pupils for whom neither policy gives anything are left out."""
    print(f"== as of {as_of} (half term {school_days.get(as_of, (0,))[0]}) ==", file=out)
    for p in PUPILS:
        if not everyone and not any(o[1] or o[2] or o[0]["penalty_10w"] >= 10
                                    for o in (outcome(p, s, as_of) for s in SCHOOLS)):
            continue
        print(f"{pupil_upn(p)} {p[2]} {p[1]} (Y{p[3]}): {p[4]}", file=out)
        for school in SCHOOLS:
            m = measures(register(p, school), as_of)
            a, b = m["absent"], m["possible"]
            if school == "russell-street":
                st, f, fine = russell_street(m), flags(m), "£80 within 21 days / £160 within 28"
            else:
                (st, f), fine = kildwick(m), "£60 within 21 days / £120 within 28"
            lo, hi = m["window_10w"]
            print(f"  {school:14s} absent {a}/{b} = {pct(Fraction(100 * a, b))}"
                  f" (attendance {pct(m['attendance'])}), unauthorised {m['unauthorised']},"
                  f" consecutive days absent {m['consec_absent']},"
                  f" penalty sessions {m['penalty_10w']} in {lo}..{hi + dt.timedelta(days=6)},"
                  f" L/U this half term {m['late_ht']}, last 4 weeks: unauthorised {m['unauth_4w']} L/U {m['late_4w']}",
                  file=out)
            print(f"  {'':14s} -> stage {max(st) if st else 'none'}"
                  f"{' (rules holding: ' + ', '.join(map(str, st)) + ')' if st else ''};"
                  f" flags: {', '.join(f) or 'none'};"
                  f" penalty notice: {'consider, ' + fine if m['penalty_10w'] >= 10 else 'no'}", file=out)
    print(file=out)


def write_csv(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    check = "--check" in sys.argv[1:]
    if not check:
        rows = [("half_term", s, e, "", n) for s, e, n in HALF_TERMS]
        rows += [("closure", s, e, sess, n) for s, e, sess, n in CLOSURES]
        write_csv("calendar.csv", ["kind", "start", "end", "session", "name"], rows)
        write_csv("pupils.csv", ["upn", "surname", "forename", "year_group"],
                  sorted((pupil_upn(p), p[1], p[2], p[3]) for p in PUPILS))
        write_csv("parents.csv", ["upn", "parent_id", "name", "relationship", "address"],
                  sorted(r for p in PUPILS for r in parents(p)))
        for school, rules in SCHOOLS.items():
            rows = []
            for p in sorted(PUPILS, key=pupil_upn):
                marks = register(p, school)
                for (d, s) in sorted(marks, key=lambda k: (k[0], k[1])):
                    code, late = marks[(d, s)]
                    rows.append((pupil_upn(p), d.isoformat(), s, code, "" if late is None else late))
            write_csv(rules["file"], ["upn", "date", "session", "code", "minutes_late"], rows)
    sessions = sum(len(school_days[d][1]) for d in DAYS)
    print(f"calendar: {len(DAYS)} school days, {sessions} sessions, {DAYS[0]}..{LAST_DAY}")
    summary(D("2025-02-14"), sys.stdout)
    for as_of in ("2024-10-25", "2024-11-15", "2024-11-22"):
        summary(D(as_of), sys.stdout, everyone=False)


if __name__ == "__main__":
    main()
