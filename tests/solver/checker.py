"""An independent checker for solution documents (spec: solver/README.md).

It reads the raw problem JSON itself and re-implements every hard rule in the
plainest way it can (loops over dates, datetimes in the problem's time zone),
sharing no code with `solver/`.  `violations(problem, solution)` lists every
broken rule in words; `reason_violations` checks that the reasons given for the
unplaced learners are true.
"""

import itertools
import math
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CODES = {"no_course_at_level", "no_venue_in_reach", "rota_conflict", "group_full",
         "too_few_for_group", "no_teacher", "locked_out"}


def clock(text):
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class World:
    """The problem document with its defaults filled in, indexed by id."""

    def __init__(self, problem):
        self.doc = problem
        self.zone = ZoneInfo(problem["timezone"])
        term = problem["term"]
        self.first = date.fromisoformat(term["first_day"])
        self.last = date.fromisoformat(term["last_day"])
        self.closed = {date.fromisoformat(d) for d in term.get("closed", [])}
        self.places = {p["id"]: p for p in problem["places"]}
        self.listed = {}
        for a, b, minutes in problem.get("travel_minutes", []):
            self.listed[(a, b)] = self.listed[(b, a)] = minutes
        self.slots = {(DAYS.index(s["day"]), clock(s["start"])) for s in problem["slots"]}
        self.venues = {v["id"]: v for v in problem["venues"]}
        self.courses = {c["id"]: c for c in problem["courses"]}
        self.teachers = {t["id"]: t for t in problem["teachers"]}
        self.learners = {l["id"]: l for l in problem["learners"]}
        current = problem.get("current") or {}
        self.current_groups = {g["id"]: g for g in current.get("groups", [])}
        self.locked_learners = set(current.get("locked", []))
        self.memo = {}

    # -- reference data -------------------------------------------------
    def travel(self, a, b):
        if a == b:
            return 0
        if (a, b) in self.listed:
            return self.listed[(a, b)]
        p, q = self.places[a], self.places[b]
        phi1, phi2 = math.radians(p["lat"]), math.radians(q["lat"])
        dphi = phi2 - phi1
        dlambda = math.radians(q["lon"] - p["lon"])
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
        km = 2 * 6371.0088 * math.asin(math.sqrt(h))
        return math.ceil(km * 1.3)  # 60 km/h: one km a minute

    def venue_travel(self, home, venue_id):
        return self.travel(home, self.venues[venue_id]["place"])

    def group_limit(self, course, venue_id):
        """Learners one group may hold: the course's max_group, or the room's seats when fewer."""
        seats = self.venues.get(venue_id, {}).get("seats")
        return course["max_group"] if seats is None else min(course["max_group"], seats)

    def course_venues(self, course):
        return course.get("venues") or list(self.venues)

    def min_attendance(self, course):
        return course.get("min_attendance", 0.75)

    def rooms(self, venue_id):
        return self.venues[venue_id].get("rooms", 1)

    def learner_field(self, learner, name):
        defaults = {"buffer_minutes": 30, "priority": 1, "max_travel_minutes": 60}
        return learner.get(name, defaults[name])

    def dates(self, day):
        d = self.first
        while d <= self.last:
            if d.weekday() == day and d not in self.closed:
                yield d
            d += timedelta(days=1)

    # -- instants -------------------------------------------------------
    def instant(self, day, minutes):
        """A local wall-clock time as an aware UTC datetime (minutes may pass 24:00)."""
        local = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)
        return local.replace(tzinfo=self.zone).astimezone(timezone.utc)

    def blocked(self, learner, around):
        """Every shift, away day and busy interval near the date `around`, in UTC."""
        out = []
        rota = learner.get("rota")
        if rota:
            start = date.fromisoformat(rota["start"])
            cycle = rota["cycle"]
            for offset in range(-2, 3):
                day = around + timedelta(days=offset)
                entry = cycle[(day - start).days % len(cycle)]
                if entry == "away":
                    out.append((self.instant(day, 0), self.instant(day + timedelta(days=1), 0)))
                    continue
                for begin, end in entry:
                    b, e = clock(begin), clock(end)
                    if e <= b:
                        e += 24 * 60
                    out.append((self.instant(day, b), self.instant(day, e)))
        for busy in learner.get("busy", []):
            b = datetime.fromisoformat(busy["start"]).replace(tzinfo=self.zone).astimezone(timezone.utc)
            e = datetime.fromisoformat(busy["end"]).replace(tzinfo=self.zone).astimezone(timezone.utc)
            out.append((b, e))
        return out

    def attendable(self, learner, venue_id, day, start, minutes):
        """(attendable occurrences, all occurrences) of a weekly session for a learner."""
        key = (learner["id"], venue_id, day, start, minutes)
        if key not in self.memo:
            self.memo[key] = self._attendable(learner, venue_id, day, start, minutes)
        return self.memo[key]

    def _attendable(self, learner, venue_id, day, start, minutes):
        gap = timedelta(minutes=self.learner_field(learner, "buffer_minutes")
                        + self.venue_travel(learner["home"], venue_id))
        count = total = 0
        for d in self.dates(day):
            total += 1
            begin = self.instant(d, start)
            end = begin + timedelta(minutes=minutes)
            if all(b_end + gap <= begin or end + gap <= b_begin
                   for b_begin, b_end in self.blocked(learner, d)):
                count += 1
        return count, total

    def share(self, learner, venue_id, slots, minutes):
        count = total = 0
        for day, start in slots:
            c, t = self.attendable(learner, venue_id, day, start, minutes)
            count += c
            total += t
        return count / total if total else 0.0

    # -- rules about slots ------------------------------------------------
    @staticmethod
    def inside(windows, day, start, minutes):
        return any(DAYS[day] in w["days"] and clock(w["from"]) <= start
                   and start + minutes <= clock(w["to"]) for w in windows)

    def slot_fits(self, course, venue_id, slot):
        day, start = slot
        return (slot in self.slots and venue_id in self.course_venues(course)
                and self.inside(self.venues[venue_id]["open"], day, start, course["session_minutes"]))

    def patterns(self, course, venue_id):
        """Every set of candidate slots a group of the course could meet at there."""
        fitting = sorted(s for s in self.slots if self.slot_fits(course, venue_id, s))
        for combo in itertools.combinations(fitting, course["sessions_per_week"]):
            if len({day for day, _ in combo}) == len(combo):
                yield combo

    def suits(self, learner, course, venue_id, slots):
        if learner["level"] != course["level"]:
            return False
        if self.venue_travel(learner["home"], venue_id) > self.learner_field(learner, "max_travel_minutes"):
            return False
        share = self.share(learner, venue_id, slots, course["session_minutes"])
        return share + 1e-9 >= self.min_attendance(course)


def group_slots(group):
    return tuple(sorted((DAYS.index(s["day"]), clock(s["start"])) for s in group["slots"]))


def violations(problem, solution):
    """Every hard rule the solution breaks, in words (empty when it is valid)."""
    w = World(problem)
    bad = []
    if solution.get("format") != "nortime.solution/1":
        bad.append("format is not nortime.solution/1")
    if solution["status"] in ("invalid_input", "infeasible", "unknown"):
        if solution.get("groups"):
            bad.append(f"status {solution['status']} with groups")
        return bad
    seen_learner = {}
    sessions_of_teacher = {}
    sessions_at_venue = {}
    group_ids = set()
    for g in solution["groups"]:
        gid = g["id"]
        if gid in group_ids:
            bad.append(f"group id {gid} twice")
        group_ids.add(gid)
        course = w.courses.get(g["course"])
        if course is None or g["venue"] not in w.venues:
            bad.append(f"{gid}: unknown course or venue")
            continue
        minutes = course["session_minutes"]
        slots = group_slots(g)
        if len(slots) != course["sessions_per_week"]:
            bad.append(f"{gid}: {len(slots)} slots, course needs {course['sessions_per_week']}")
        if len({d for d, _ in slots}) != len(slots):
            bad.append(f"{gid}: two sessions on one weekday")
        for s in slots:
            if not w.slot_fits(course, g["venue"], s):
                bad.append(f"{gid}: slot {s} is no candidate slot inside the venue's hours")
            sessions_at_venue.setdefault(g["venue"], []).append((s[0], s[1], s[1] + minutes, gid))
        expected_sessions = sum(len(list(w.dates(d))) for d, _ in slots)
        if g.get("sessions") != expected_sessions:
            bad.append(f"{gid}: sessions {g.get('sessions')} but the term has {expected_sessions}")
        size = len(g["learners"])
        if not course["min_group"] <= size <= w.group_limit(course, g["venue"]):
            bad.append(f"{gid}: {size} learners outside {course['min_group']}..{w.group_limit(course, g['venue'])}")
        teacher = w.teachers.get(g.get("teacher"))
        if teacher is None:
            bad.append(f"{gid}: no teacher")
        else:
            if course["level"] not in teacher["levels"]:
                bad.append(f"{gid}: teacher {teacher['id']} does not teach {course['level']}")
            for d, start in slots:
                if not w.inside(teacher["available"], d, start, minutes):
                    bad.append(f"{gid}: teacher {teacher['id']} not available {DAYS[d]} {start}")
                sessions_of_teacher.setdefault(teacher["id"], []).append(
                    (d, start, start + minutes, g["venue"], gid))
        for lid in g["learners"]:
            learner = w.learners.get(lid)
            if learner is None:
                bad.append(f"{gid}: unknown learner {lid}")
                continue
            if lid in seen_learner:
                bad.append(f"{lid} in {seen_learner[lid]} and {gid}")
            seen_learner[lid] = gid
            if learner["level"] != course["level"]:
                bad.append(f"{lid}: level {learner['level']} in a {course['level']} group")
            if w.venue_travel(learner["home"], g["venue"]) > w.learner_field(learner, "max_travel_minutes"):
                bad.append(f"{lid}: {g['venue']} out of reach")
            share = w.share(learner, g["venue"], slots, minutes)
            if share + 1e-9 < w.min_attendance(course):
                bad.append(f"{lid}: share {share:.3f} in {gid} under {w.min_attendance(course)}")
            reported = solution["attendance"].get(lid)
            if reported is None or abs(reported - share) > 0.006:
                bad.append(f"{lid}: attendance {reported} but share is {share:.3f}")
    for venue_id, sessions in sessions_at_venue.items():
        for d, start, _, gid in sessions:
            running = sum(1 for d2, s2, e2, _ in sessions if d2 == d and s2 <= start < e2)
            if running > w.rooms(venue_id):
                bad.append(f"{venue_id}: {running} sessions at once on {DAYS[d]} {start}, rooms {w.rooms(venue_id)}")
    for tid, sessions in sessions_of_teacher.items():
        if len(sessions) > w.teachers[tid]["max_sessions_per_week"]:
            bad.append(f"{tid}: {len(sessions)} sessions a week")
        for a, b in itertools.combinations(sessions, 2):
            if a[0] != b[0]:
                continue
            drive = w.travel(w.venues[a[3]]["place"], w.venues[b[3]]["place"])
            if not (a[2] + drive <= b[1] or b[2] + drive <= a[1]):
                bad.append(f"{tid}: {a[4]} and {b[4]} overlap or are too close on {DAYS[a[0]]}")
    placed = sum(w.learner_field(w.learners[lid], "priority") for lid in seen_learner)
    if solution["placed"] != placed:
        bad.append(f"placed {solution['placed']} but the groups place {placed}")
    if solution["placed_bound"] < placed:
        bad.append("placed_bound below placed")
    if solution["status"] == "optimal" and solution["placed_bound"] != placed:
        bad.append("optimal but bound differs from placed")
    if set(solution["attendance"]) != set(seen_learner):
        bad.append("attendance keys are not the placed learners")
    unplaced = {u["learner"]: u for u in solution["unplaced"]}
    if set(unplaced) != set(w.learners) - set(seen_learner):
        bad.append("unplaced list is not exactly the learners without a group")
    for u in unplaced.values():
        if not u["reasons"] or any(r["code"] not in CODES for r in u["reasons"]):
            bad.append(f"{u['learner']}: no reason or unknown code")
    by_id = {g["id"]: g for g in solution["groups"]}
    for gid, old in w.current_groups.items():
        if old.get("locked"):
            new = by_id.get(gid)
            if new is None or (new["course"], new["venue"], new.get("teacher"), group_slots(new),
                               sorted(new["learners"])) != (old["course"], old["venue"], old.get("teacher"),
                                                            group_slots(old), sorted(old["learners"])):
                bad.append(f"locked group {gid} changed")
    was_in = {lid: g["id"] for g in w.current_groups.values() for lid in g["learners"]}
    for lid in w.locked_learners:
        if seen_learner.get(lid) != was_in.get(lid):
            bad.append(f"locked learner {lid} moved from {was_in.get(lid)} to {seen_learner.get(lid)}")
    return bad


def unplaced_suited(w, solution, course, venue_id, slots):
    """Unplaced learners (not locked) whom a group of `course` at `slots` there would suit."""
    unplaced = {u["learner"] for u in solution["unplaced"]} - w.locked_learners
    return [lid for lid in sorted(unplaced) if w.suits(w.learners[lid], course, venue_id, slots)]


def teacher_free(w, solution, course, venue_id, slots):
    """Whether some teacher could take one more group at these slots, as the timetable stands."""
    minutes = course["session_minutes"]
    for tid, t in w.teachers.items():
        if course["level"] not in t["levels"]:
            continue
        if not all(w.inside(t["available"], d, s, minutes) for d, s in slots):
            continue
        own = [(g, group_slots(g)) for g in solution["groups"] if g.get("teacher") == tid]
        load = sum(len(s) for _, s in own)
        if load + len(slots) > t["max_sessions_per_week"]:
            continue
        clash = False
        for g, their in own:
            drive = w.travel(w.venues[g["venue"]]["place"], w.venues[venue_id]["place"])
            their_minutes = w.courses[g["course"]]["session_minutes"]
            for (d1, s1), (d2, s2) in itertools.product(slots, their):
                if d1 == d2 and not (s1 + minutes + drive <= s2 or s2 + their_minutes + drive <= s1):
                    clash = True
        if not clash:
            return True
    return False


def reason_violations(problem, solution):
    """Reasons given for unplaced learners that are not true, in words."""
    w = World(problem)
    bad = []
    groups = {g["id"]: g for g in solution["groups"]}
    for entry in solution["unplaced"]:
        lid = entry["learner"]
        learner = w.learners[lid]
        level = learner["level"]
        at_level = [c for c in w.courses.values() if c["level"] == level]
        reach = w.learner_field(learner, "max_travel_minutes")
        reachable = [(c, v) for c in at_level for v in w.course_venues(c)
                     if w.venue_travel(learner["home"], v) <= reach]
        for r in entry["reasons"]:
            code, det = r["code"], r.get("details", {})
            if not r.get("message"):
                bad.append(f"{lid}: {code} without a message")
            if code == "no_course_at_level":
                ok = not at_level
            elif code == "no_venue_in_reach":
                ok = bool(at_level) and not reachable
            elif code == "locked_out" and "group" in det:
                g, old = groups.get(det["group"]), w.current_groups.get(det["group"])
                ok = (bool(g) and bool(old) and old.get("locked", False)
                      and w.suits(learner, w.courses[g["course"]], g["venue"], group_slots(g)))
            elif code == "locked_out":
                ok = lid in w.locked_learners
            elif code == "rota_conflict" and "group" in det:
                g = groups.get(det["group"])
                course = g and w.courses[g["course"]]
                ok = (bool(g) and course["level"] == level
                      and w.venue_travel(learner["home"], g["venue"]) <= reach)
                if ok:
                    share = w.share(learner, g["venue"], group_slots(g), course["session_minutes"])
                    ok = share + 1e-9 < w.min_attendance(course) and abs(share - det["share"]) <= 0.006
            elif code == "rota_conflict":
                course = w.courses[det["course"]]
                ok = (course["level"] == level
                      and not any(w.suits(learner, course, det["venue"], p) for p in w.patterns(course, det["venue"])))
            elif code == "group_full" and "group" in det:
                g = groups.get(det["group"])
                course = g and w.courses[g["course"]]
                ok = (bool(g) and len(g["learners"]) >= w.group_limit(course, g["venue"])
                      and w.suits(learner, course, g["venue"], group_slots(g)))
            elif code == "group_full":
                # Every room of the venue is taken at one of the suggested slots.
                course = w.courses[det["course"]]
                slots = tuple(sorted((DAYS.index(s["day"]), clock(s["start"])) for s in det["slots"]))
                minutes = course["session_minutes"]
                ok = w.suits(learner, course, det["venue"], slots)
                if ok:
                    used = [(DAYS.index(s["day"]), clock(s["start"]), w.courses[g["course"]]["session_minutes"])
                            for g in solution["groups"] if g["venue"] == det["venue"] for s in g["slots"]]
                    ok = any(sum(1 for d2, s2, m2 in used if d2 == d and s2 < s + minutes and s < s2 + m2)
                             >= w.rooms(det["venue"]) for d, s in slots)
            elif code == "too_few_for_group":
                course = w.courses[det["course"]]
                slots = tuple(sorted((DAYS.index(s["day"]), clock(s["start"])) for s in det["slots"]))
                suited = unplaced_suited(w, solution, course, det["venue"], slots)
                ok = (lid in suited and len(suited) == det["learners"]
                      and len(suited) < course["min_group"] and det["needed"] == course["min_group"] - len(suited))
            elif code == "no_teacher":
                course = w.courses[det["course"]]
                slots = tuple(sorted((DAYS.index(s["day"]), clock(s["start"])) for s in det["slots"]))
                ok = (w.suits(learner, course, det["venue"], slots)
                      and not teacher_free(w, solution, course, det["venue"], slots))
            else:
                ok = False
            if not ok:
                bad.append(f"{lid}: reason {code} {det} is not true")
    return bad


def assert_valid(problem, solution, reasons=True):
    """Fail with every broken rule listed (and untrue reasons when `reasons`)."""
    bad = violations(problem, solution)
    if reasons and not bad:
        bad = reason_violations(problem, solution)
    assert not bad, "\n".join(bad[:30])
