"""Ruin and recreate: a fast local search over whole timetables.

Each step takes the timetable found so far and changes it in one of two ways:

- *ruin*: close a few of its groups (a random few, a few at one venue, a few at a
  venue where an unplaced learner could go, or every group of one teacher);
- *make a place* for one unplaced learner: pick a weekly pattern at a venue that
  suits them; gather enough learners who could join them there, taking them out
  of groups that keep their minimum without them (half the time) or else closing
  the groups that hold them; when the room or every able teacher is taken at that
  time, close what takes them too; then open that group.  A plain ruin seldom does
  this: the greedy refill reopens the largest groups first, so a learner who needs
  others to move stays out.  (N=300: the last learner of the optimum needs four
  mates out of full groups elsewhere, which must all go on.)

Then it fills the timetable again the greedy way (`greedy_fill`, one-move
augmentations) and keeps the result when it places at least as many: accepting
equal ones lets the search drift across the many timetables that place the same
number, which is where the next better one is found.  The rules every step keeps
are the greedy's own (`timetable.Timetable`), so every timetable it returns is valid.

Searches from different seeds end far apart, so with a second core a helper
process runs its own search alongside (`helpers`) and the best of them is kept.

It beats the counting model by far in the same time; bench/NOTES.md has the runs
("Ruin and recreate first") and those behind each `ruin_*` field of `SolverConfig`.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from dataclasses import replace
from typing import Callable

from solver.bounds import usable_venues
from solver.config import DEFAULT, SolverConfig
from solver.greedy import augment, greedy_fill
from solver.timetable import Group, Timetable


def ruin_and_recreate(table: Timetable, blocked: set[int], deadline: float, seed: int = 0,
                      on_progress: Callable[[int], None] | None = None, steps: int | None = None,
                      ceiling: int | None = None, helpers: int = 0, config: SolverConfig = DEFAULT) -> Timetable:
    """The best timetable the search finds from `table` before `deadline` (time.monotonic()).

    `table` itself is not changed.  Locked groups and the learners of `current` are
    never touched; `on_progress(placed)` hears of every improvement.  The search
    stops once it places `ceiling` (a proven bound: nothing better exists), and when
    it has gone as many steps without placing more as it took to get there (at
    least `config.ruin_stall_steps`): on small problems that is soon, and CP-SAT gets the time
    to prove its optimum.  With `steps` it stops after that many steps, runs no
    helpers and a seed gives the same result every time.  `helpers` other processes
    search from `table` with other seeds until the same deadline (when there is time
    to start them and the platform lets this process start any).  The step's odds and
    sizes are the `ruin_*` fields of `config`.
    """
    if ceiling is not None and table.placed_value() >= ceiling:
        return table
    options = table.options
    started = _start_helpers(table, blocked, deadline, seed, ceiling, helpers, config) \
        if steps is None and deadline - time.monotonic() >= config.helper_min_seconds else []
    listen = _Listener(started, on_progress)
    best = _search(table, blocked, deadline, seed, listen, steps, ceiling, config)
    for groups in listen.results(deadline, ceiling, config.helper_grace_seconds):
        found = _rebuilt(options, groups)
        if found is not None and found.placed_value() > best.placed_value():
            best = found
    return best


def _search(table: Timetable, blocked: set[int], deadline: float, seed: int, listen, steps: int | None,
            ceiling: int | None, config: SolverConfig = DEFAULT) -> Timetable:
    """One search from `table`: its best timetable."""
    rng = random.Random(seed)
    pinned = table.options.pinned()
    venues_of = [sorted(vs) for vs in usable_venues(table.options, blocked)]   # where each learner could go
    waiting = [l for l, vs in enumerate(venues_of) if vs]
    best, value = table, table.placed_value()
    step = last = 0
    while time.monotonic() < deadline and (steps is None or step < steps) \
            and (ceiling is None or value < ceiling) and not listen.done(ceiling):
        if step - last >= max(config.ruin_stall_steps, last):
            break
        step += 1
        candidate = best.copy()
        unplaced = [l for l in waiting if l not in candidate.group_of]
        if unplaced and rng.random() < config.ruin_make_place:
            _make_place(rng, candidate, rng.choice(unplaced), blocked, pinned, config)
        else:
            movable = [g for g in candidate.groups if not g.locked and not pinned & set(g.learners)]
            if not movable:
                break
            near = rng.choice(venues_of[rng.choice(unplaced)]) if unplaced and rng.random() < config.ruin_targeted \
                else None
            for g in _victims(rng, movable, near, config):
                candidate.remove(g)
        capped = rng.random() < config.ruin_capped
        anyone = rng if rng.random() < config.ruin_any_teacher else None
        candidate = greedy_fill(augment(greedy_fill(candidate, blocked, capped, rng=anyone), blocked, pinned),
                                blocked, capped, rng=anyone)
        placed = candidate.placed_value()
        if placed >= value:
            if placed > value:
                last = step
                listen.improved(placed)
            best, value = candidate, placed
    return best


def _victims(rng: random.Random, groups: list, near: int | None, config: SolverConfig = DEFAULT) -> list:
    """The groups one ruin step closes: a random few, a few at one venue, or all of one teacher's.

    With `near` (a venue an unplaced learner could use), a few there.
    """
    count = rng.randint(1, config.ruin_max_closed)
    kind = rng.random()
    if near is not None:
        here = [g for g in groups if g.venue == near]
        return rng.sample(here, min(count, len(here)))
    if kind < config.ruin_random_victims:
        return rng.sample(groups, min(count, len(groups)))
    if kind < config.ruin_random_victims + config.ruin_venue_victims:
        venue = rng.choice(groups).venue
        here = [g for g in groups if g.venue == venue]
        return rng.sample(here, min(count, len(here)))
    teacher = rng.choice(groups).teacher
    return [g for g in groups if g.teacher == teacher]


def _make_place(rng: random.Random, table: Timetable, learner: int, blocked: set[int], pinned: set[int],
                config: SolverConfig = DEFAULT) -> None:
    """Open a group for unplaced `learner` at a pattern that suits them, closing what stands in the way.

    In place; it may close groups and open none (the refill then seats whom it can).
    Groups that are locked or hold a learner of `current` are never closed, nor
    are learners taken out of them.
    """
    options = table.options
    problem = options.problem
    choices = [i for i in options.offers_of_learner[learner]
               if options.offers[i].suits[options.offers[i].row_of[learner]].any()]
    if not choices:
        return
    offer = options.offers[rng.choice(choices)]
    pattern = rng.choice(offer.suits[offer.row_of[learner]].nonzero()[0].tolist())
    course = problem.courses[offer.course]
    slots = offer.pattern_slots[pattern]
    days = {int(options.slot_day[s]) for s in slots}
    closable = lambda g: not g.locked and not pinned & set(g.learners)
    # Those who could join: free ones, then (`config.ruin_pull`) ones taken from groups with more
    # than min_group, then the groups holding most of them closed until enough are free for
    # min_group (1 to `ruin_max_closed` groups in any case, unless taking them out sufficed).
    mates = [l for l in offer.members(pattern) if l != learner and l not in blocked]
    need = course.min_group - 1 - sum(1 for l in mates if l not in table.group_of)
    holding: dict[int, list] = {}
    for l in mates:
        g = table.group_of.get(l)
        if g is not None and closable(g):
            holding.setdefault(id(g), [g, 0])[1] += 1
    pulled = need > 0 and rng.random() < config.ruin_pull
    if pulled:
        # Take mates out of groups that keep min_group without them: nothing closes.
        spare = {id(g): len(g.learners) - problem.courses[g.course].min_group for g, _ in holding.values()}
        pullable = [l for l in mates if l in table.group_of and id(table.group_of[l]) in spare]
        rng.shuffle(pullable)
        for l in sorted(pullable, key=lambda l: -spare[id(table.group_of[l])]):
            if need <= 0:
                break
            g = table.group_of[l]
            if spare[id(g)] > 0:
                table.unplace(l)
                spare[id(g)] -= 1
                need -= 1
                holding[id(g)][1] -= 1
    wanted = 0 if pulled and need <= 0 else rng.randint(1, config.ruin_max_closed)
    closed = 0
    for g, count in sorted(holding.values(), key=lambda item: (-item[1], rng.random())):
        if closed >= config.ruin_max_closed or (closed >= wanted and need <= 0):
            break
        table.remove(g)
        closed += 1
        need -= count
    # The room: close groups at the venue on the pattern's days until one is free.
    for _ in range(config.ruin_max_closed):
        if table.room_free(offer.course, offer.venue, slots):
            break
        here = [g for g in table.groups if g.venue == offer.venue and closable(g)
                and days & {int(options.slot_day[s]) for s in g.slots}]
        if not here:
            return
        table.remove(rng.choice(here))
    if not table.room_free(offer.course, offer.venue, slots):
        return
    teachers = table.free_teachers(offer.course, offer.venue, slots)
    if not teachers:
        # Free one teacher who is qualified and available then: close their groups that day
        # (driving between venues), then others of theirs while the weekly maximum is in the way.
        able = [t for t in range(len(problem.teachers))
                if all(options.teacher_slots[t, offer.course, s] for s in slots)]
        if not able:
            return
        teacher = rng.choice(able)
        theirs = [g for g in table.groups if g.teacher == teacher]
        if not all(closable(g) for g in theirs if days & {int(options.slot_day[s]) for s in g.slots}):
            return
        for g in [g for g in theirs if days & {int(options.slot_day[s]) for s in g.slots}]:
            table.remove(g)
            theirs.remove(g)
        theirs = [g for g in theirs if closable(g)]
        while theirs and not table.teacher_can(teacher, offer.course, offer.venue, slots):
            table.remove(theirs.pop(rng.randrange(len(theirs))))
        if not table.teacher_can(teacher, offer.course, offer.venue, slots):
            return
        teachers = [teacher]
    flexibility = options.flexibility()
    joining = sorted((l for l in mates if l not in table.group_of), key=lambda l: (flexibility[l], l))
    members = ([learner] + joining)[:options.max_group(offer.course, offer.venue)]
    if len(members) >= course.min_group:
        table.add(Group(offer.course, offer.venue, slots, teachers[0], members))


# -- helper processes ---------------------------------------------------------------------


class _Listener:
    """The main search's ear for its helpers: their improvements and, at the end, their timetables."""

    def __init__(self, helpers: list, on_progress):
        self.helpers = helpers          # (process, connection)
        self.on_progress = on_progress
        self.best = 0
        self.found: list = []
        self.checked = 0.0
        self.stopped = False

    def _stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            for _, connection in self.helpers:
                try:
                    connection.send("stop")
                except OSError:
                    pass

    def improved(self, placed: int) -> None:
        if placed > self.best:
            self.best = placed
            if self.on_progress is not None:
                self.on_progress(placed)

    def done(self, ceiling: int | None) -> bool:
        """Hear the helpers (at most every 0.1 s); True once one of them placed `ceiling`."""
        if self.helpers and time.monotonic() - self.checked >= 0.1:
            self.checked = time.monotonic()
            for _, connection in self.helpers:
                self._hear(connection)
        return ceiling is not None and self.best >= ceiling

    def _hear(self, connection, wait: float = 0.0) -> bool:
        """Read what the helper sent; True once its timetable came (or it is gone)."""
        try:
            while connection.poll(wait):
                kind, value = connection.recv()
                if kind == "placed":
                    self.improved(value)
                else:
                    self.found.append(value)
                    return True
        except (EOFError, OSError):
            return True
        return False

    def results(self, deadline: float, ceiling: int | None, grace: float) -> list:
        """Every helper's best groups.

        Helpers search on until `deadline` or until they stall themselves (the main
        search stalling says nothing of theirs), unless one placed `ceiling`: then
        they are told to stop.
        """
        for process, connection in self.helpers:
            # A helper finishes its step, then sends its timetable; read it before joining
            # (a large one fills the pipe and would keep the helper from ending).
            until = max(deadline, time.monotonic()) + grace
            while time.monotonic() < until:
                if ceiling is not None and self.best >= ceiling:
                    self._stop()
                if self._hear(connection, 0.05) or not process.is_alive() and not connection.poll():
                    break
            process.join(0.5)
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()
        self.helpers = []
        return self.found


def _start_helpers(table: Timetable, blocked: set[int], deadline: float, seed: int, ceiling: int | None,
                   helpers: int, config: SolverConfig = DEFAULT) -> list:
    """Started helper processes with their connections; none when the platform refuses."""
    if helpers <= 0:
        return []
    problem = table.options.problem
    # What a helper needs to rebuild the same options and timetable (Options itself is
    # large and holds read-only mappings that do not pickle).
    payload = dict(problem=replace(problem, weights=dict(problem.weights)), blocked=set(blocked),
                   groups=_groups(table), deadline=deadline, ceiling=ceiling, config=config)
    started = []
    try:
        # "spawn": a clean interpreter; forking a process that runs threads (CP-SAT,
        # the web app's heartbeat) is not safe.
        context = multiprocessing.get_context("spawn")
        for k in range(helpers):
            mine, theirs = context.Pipe()
            process = context.Process(target=_helper, args=(payload, seed * 1000 + k + 1, theirs),
                                      name=f"nortime-ruin-{k + 1}", daemon=True)
            process.start()
            theirs.close()
            started.append((process, mine))
    except (OSError, AssertionError, ValueError, RuntimeError):
        # AssertionError: daemonic processes may not have children (then the search runs alone).
        pass
    return started


def _helper(payload: dict, seed: int, connection) -> None:
    """A helper process: search until the deadline (or "stop"), report improvements and the best groups.

    When the parent is gone (killed: its end of the pipe closes), the helper stops
    at its next step and ends quietly.
    """
    from solver.options import build_options

    def send(message) -> bool:
        try:
            connection.send(message)
            return True
        except OSError:         # BrokenPipeError: nobody is listening any more
            return False

    options = build_options(payload["problem"])
    table = _rebuilt(options, payload["groups"])
    if table is None:
        send(("groups", []))
        return

    class Reporter:
        stopped = False

        def improved(self, placed: int) -> None:
            if not send(("placed", placed)):
                self.stopped = True

        def done(self, ceiling) -> bool:
            if not self.stopped and connection.poll():
                self.stopped = True
            return self.stopped

    best = _search(table, payload["blocked"], payload["deadline"], seed, Reporter(), None, payload["ceiling"],
                   payload.get("config", DEFAULT))
    send(("groups", _groups(best)))
    connection.close()


def _groups(table: Timetable) -> list[tuple]:
    return [(g.course, g.venue, tuple(g.slots), g.teacher, list(g.learners), g.id, g.locked) for g in table.groups]


def _rebuilt(options, groups: list[tuple]) -> Timetable | None:
    """The timetable of a helper's groups in `options`, or None if it does not hold together."""
    table = Timetable(options)
    for course, venue, slots, teacher, learners, gid, locked in groups:
        if not locked and (teacher is None or not (table.room_free(course, venue, slots)
                                                   and table.teacher_can(teacher, course, venue, slots))):
            return None
        table.add(Group(course, venue, tuple(slots), teacher, list(learners), gid, locked))
    return table
