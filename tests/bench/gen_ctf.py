#!/usr/bin/env python3
"""Generate a large synthetic Common Transfer File (CTF 25 layout) for load tests.

stdlib only; writes as it goes (constant memory), so 100,000+ pupils is fine.
Output is deterministic for a given (N, --seed, --year, --corrupt-every).

Layout (see notes.md): one YearData per pupil for one academic year; AttendanceMarks
is 2 chars per CALENDAR day from AttendanceStartDate (always a Monday), AM then PM;
weekends, holidays and INSET days are "##". Only single-character 2024 codes are used
(no C1/C2/J1/Y1-Y7, whose encoding in the positional string is unconfirmed).
Totals are consistent with the marks under the rule in check_ctf.py, except for
pupils deliberately corrupted with --corrupt-every K (every K-th pupil gets
SessionsAttended + 1); corrupted UPNs are listed on stderr.

usage: gen_ctf.py N [--seed S] [--year YYYY] [--corrupt-every K] [-o FILE] [--calendar FILE]
  N       number of pupils
  --year  academic-year start year (default 2024 = 2024/25); the header says CTF 25.0
  -o      output file (default stdout)
  --calendar  also write the school calendar the file assumes, as attend's calendar CSV
              (kind,start,end,session,name: the six half terms and the INSET days)
"""
import argparse
import datetime as dt
import random
import sys
from xml.sax.saxutils import escape

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"   # UPN check letters (no I, O, S)

SURNAMES = ["SMITH", "JONES", "TAYLOR", "BROWN", "WILLIAMS", "WILSON", "JOHNSON", "DAVIES",
            "PATEL", "ROBINSON", "WRIGHT", "THOMPSON", "EVANS", "WALKER", "WHITE", "ROBERTS",
            "GREEN", "HALL", "KHAN", "O'BRIEN", "NOWAK", "OKAFOR", "AHMED", "CLARKE"]
FORENAMES_F = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Aisha", "Zofia"]
FORENAMES_M = ["Noah", "Oliver", "George", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Chidi", "Yusuf"]

# Day outcomes: (weight, AM code, PM code).  "/" in PM position is written as "\".
DAY_TYPES = [
    (900, "/", "/"),      # present all day
    (20, "L", "/"),       # late before registers closed
    (4, "U", "/"),        # late after registers closed (unauthorised)
    (30, "I", "I"),       # illness
    (6, "M", "/"),        # medical appointment, back for PM
    (3, "/", "M"),
    (6, "O", "O"),        # unauthorised other
    (3, "N", "N"),        # reason not yet provided
    (3, "G", "G"),        # unauthorised holiday
    (3, "C", "C"),        # authorised leave, exceptional
    (2, "R", "R"),        # religious observance
    (2, "E", "E"),        # suspended, no provision
    (3, "V", "V"),        # educational visit (AEA)
    (2, "P", "/"),        # sporting activity (AEA)
    (2, "B", "B"),        # other approved off-site activity (AEA)
    (1, "W", "W"),        # work experience (AEA)
    (1, "K", "K"),        # LA-arranged provision (AEA)
    (1, "T", "T"),        # parent travelling for occupational purposes
]
DAY_WEIGHTS = [w for w, _, _ in DAY_TYPES]
DAY_CODES = [(a, b) for _, a, b in DAY_TYPES]

ATTENDED = set("/\\LKVPWB")
AUTHORISED = set("CEIMRST")
UNAUTHORISED = set("GNOU")

YEAR_GROUPS = ["R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]


def upn_for(i, lea):
    body = "%03d%04d%02d%03d" % (lea, 2000 + i // 100000, (i // 1000) % 100, i % 1000)
    total = sum(int(c) * w for w, c in enumerate(body, 2))
    return LETTERS[total % 23] + body


HOLIDAY_WEEKS = {8, 16, 17, 24, 31, 32, 38}
INSET = {(0, 0), (0, 1), (9, 0), (18, 0), (25, 0), (33, 0)}   # (week, weekday)
INSET_WEEKS = {w for w, _ in INSET}


def school_calendar(year):
    """Synthetic English school year: list of (date, in_session) for every calendar day
    from the first Monday on/after 1 Sep for 46 weeks.  Holiday weeks: Oct half term (8),
    Christmas (16, 17), Feb half term (24), Easter (31, 32), May half term (38).
    INSET: first two weekdays, plus the first Monday after each half term."""
    d = dt.date(year, 9, 1)
    while d.weekday() != 0:
        d += dt.timedelta(days=1)
    holiday_weeks = HOLIDAY_WEEKS
    inset = INSET
    days = []
    for n in range(46 * 7):
        day = d + dt.timedelta(days=n)
        week, wd = divmod(n, 7)
        days.append((day, wd < 5 and week not in holiday_weeks and (week, wd) not in inset))
    return days


def write_calendar(path, calendar):
    """The half terms (runs of weeks between holiday weeks) and INSET days of school_calendar."""
    weeks = len(calendar) // 7
    teaching = [any(s for _, s in calendar[w * 7:w * 7 + 7]) or
                any(d.weekday() < 5 for d, _ in calendar[w * 7:w * 7 + 7]) and w in INSET_WEEKS
                for w in range(weeks)]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("kind,start,end,session,name\n")
        w, n = 0, 0
        while w < weeks:
            if not teaching[w]:
                w += 1
                continue
            first = w
            while w < weeks and teaching[w]:
                w += 1
            n += 1
            f.write("half_term,%s,%s,,Half term %d\n" % (calendar[first * 7][0].isoformat(),
                                                       calendar[(w - 1) * 7 + 4][0].isoformat(), n))
        for (week, wd) in sorted(INSET):
            f.write("closure,%s,%s,,INSET day\n" % ((calendar[week * 7 + wd][0].isoformat(),) * 2))


def pupil_marks(rng, calendar, start_index, year_group):
    """Return (marks, attended, authorised, unauthorised) from calendar[start_index:]."""
    # Per-pupil propensity: most attend well, a tail does not.
    p_absent_scale = rng.choice([0.3, 0.6, 1.0, 1.0, 1.0, 1.5, 2.5, 5.0])
    weights = [DAY_WEIGHTS[0]] + [w * p_absent_scale for w in DAY_WEIGHTS[1:]]
    out = []
    att = auth = unauth = 0
    in_session_days = sum(1 for _, s in calendar[start_index:] if s)
    picks = iter(rng.choices(DAY_CODES, weights=weights, k=in_session_days))
    reception = year_group == "R"
    for day, in_session in calendar[start_index:]:
        if not in_session:
            out.append("##")
            continue
        am, pm = next(picks)
        if reception and am in "GNO" and rng.random() < 0.5:
            am = pm = "X"                     # not required to attend: not a possible session
        if pm == "/":
            pm = "\\"
        for c in (am, pm):
            if c in ATTENDED:
                att += 1
            elif c in AUTHORISED:
                auth += 1
            elif c in UNAUTHORISED:
                unauth += 1
        out.append(am + pm)
    return "".join(out), att, auth, unauth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--corrupt-every", type=int, default=0)
    ap.add_argument("-o", "--output")
    ap.add_argument("--calendar")
    a = ap.parse_args()

    out = open(a.output, "w", encoding="utf-8", newline="\n") if a.output else sys.stdout
    w = out.write
    lea, estab = 999, 2001
    calendar = school_calendar(a.year)
    if a.calendar:
        write_calendar(a.calendar, calendar)
    mondays = [i for i, (d, _) in enumerate(calendar) if d.weekday() == 0]
    rng = random.Random(a.seed)

    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w("<!-- Synthetic CTF generated by gen_ctf.py N=%d seed=%d year=%d; all data made up -->\n"
      % (a.n, a.seed, a.year))
    w("<CTfile>\n  <Header>\n")
    w("    <DocumentName>Common Transfer File</DocumentName>\n")
    w("    <CTFversion>25.0</CTFversion>\n")
    w("    <DateTime>%d-07-18T10:15:00</DateTime>\n" % (a.year + 1))
    w("    <DocumentQualifier>full</DocumentQualifier>\n")
    w("    <SupplierID>attend gen_ctf.py</SupplierID>\n")
    w("    <SourceSchool>\n      <LEA>%03d</LEA>\n      <Estab>%04d</Estab>\n      <URN>990001</URN>\n"
      "      <SchoolName>Synthetic Academy</SchoolName>\n      <AcademicYear>%d</AcademicYear>\n"
      "    </SourceSchool>\n" % (lea, estab, a.year))
    w("    <DestSchool>\n      <LEA>%03d</LEA>\n      <Estab>4001</Estab>\n      <URN>990004</URN>\n"
      "    </DestSchool>\n  </Header>\n  <CTFpupilData>\n" % lea)

    corrupted = 0
    for i in range(a.n):
        year_group = YEAR_GROUPS[rng.randrange(len(YEAR_GROUPS))]
        yg = 0 if year_group == "R" else int(year_group)
        # Born 1 Sep .. 31 Aug of the cohort year: reception children turn 5 during the year.
        born_from = dt.date(a.year - 5 - yg, 9, 1)
        dob = born_from + dt.timedelta(days=rng.randrange(365))
        female = rng.random() < 0.5
        forename = rng.choice(FORENAMES_F if female else FORENAMES_M)
        surname = rng.choice(SURNAMES)
        # 5% join after the start of the year, always on a Monday.
        start_index = mondays[rng.randrange(1, len(mondays) - 4)] if rng.random() < 0.05 else 0
        marks, att, auth, unauth = pupil_marks(rng, calendar, start_index, year_group)
        possible = att + auth + unauth
        upn = upn_for(i, lea)
        att_written = att
        if a.corrupt_every and (i + 1) % a.corrupt_every == 0:
            att_written += 1
            corrupted += 1
            print("corrupted SessionsAttended for %s" % upn, file=sys.stderr)
        w("    <Pupil>\n      <UPN>%s</UPN>\n      <Surname>%s</Surname>\n      <Forename>%s</Forename>\n"
          "      <DOB>%s</DOB>\n      <Sex>%s</Sex>\n      <BasicDetails>\n"
          "        <NCyearActual>%s</NCyearActual>\n      </BasicDetails>\n"
          % (upn, escape(surname), escape(forename), dob.isoformat(), "F" if female else "M", year_group))
        w("      <Attendance>\n        <YearData>\n          <Year>%d</Year>\n          <LEA>%03d</LEA>\n"
          "          <Estab>%04d</Estab>\n          <SchoolName>Synthetic Academy</SchoolName>\n"
          "          <SessionsPossible>%d</SessionsPossible>\n          <SessionsAuthorised>%d</SessionsAuthorised>\n"
          "          <SessionsAttended>%d</SessionsAttended>\n          <SessionsUnauthorised>%d</SessionsUnauthorised>\n"
          "          <AttendSessions>\n            <AttendanceStartDate>%s</AttendanceStartDate>\n"
          "            <AttendanceMarks>%s</AttendanceMarks>\n          </AttendSessions>\n"
          "        </YearData>\n      </Attendance>\n    </Pupil>\n"
          % (a.year, lea, estab, possible, auth, att_written, unauth,
             calendar[start_index][0].isoformat(), marks))
    w("  </CTFpupilData>\n</CTfile>\n")
    if out is not sys.stdout:
        out.close()
    if a.corrupt_every:
        print("%d pupils corrupted" % corrupted, file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:          # e.g. piped into head
        sys.stderr.close()
        sys.exit(1)
