"""Every tuning number of the optimizer, in one place: `SolverConfig` and its objective `Weights`.

    from solver import solve
    from solver.config import SolverConfig
    solve(problem, config=SolverConfig(ruin_make_place=0.5))

The defaults are the measured ones (bench/NOTES.md has the runs behind them and
the commands that reproduce them); `bench/optimizer.py --set FIELD=VALUE`
sweeps a field.  Time shares are fractions of one part's time limit (a part is
a region of the problem, `regions.py`), probabilities are per step of the ruin
and recreate search.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace


@dataclass(frozen=True)
class Weights:
    """The objective's weights within tiers 2-4 (solver/README.md, "The objective").

    Whole numbers only: CP-SAT's objective is integral, and a weight of 0.4 would
    either vanish or change the balance by rounding; scale all weights of a tier
    up instead (2 and 5 rather than 0.4 and 1).  A problem document's `weights`
    override these by name; `problem.read_problem` rejects unknown names and
    fractions with a message saying what to use.
    """

    change_learner: int = 1   # tier 2: per learner of `current` moved to another group or left out
    change_group: int = 1     # tier 2: per group of `current` closed, or given other slots, venue or teacher
    share: int = 1            # tier 3: per share point (100 x a placed learner's attendable share)
    prefer_day: int = 20      # tier 3: per session on one of the learner's `prefer_days`
    group: int = 60           # tier 4: per opened group
    learner_drive: int = 1    # tier 4: per minute from a placed learner's home to their venue
    teacher_drive: int = 1    # tier 4: per minute from a teacher's home to the venue of each of their groups

    def overridden(self, overrides: Mapping[str, int]) -> "Weights":
        """These weights with a problem document's `weights` (already checked by the reader)."""
        return replace(self, **dict(overrides)) if overrides else self


WEIGHT_NAMES = tuple(f.name for f in fields(Weights))


@dataclass(frozen=True)
class SolverConfig:
    """The optimizer's tuning, field by field.  Frozen: pass `dataclasses.replace(config, ...)`."""

    # -- time, per part (`solve.solve_part`) -------------------------------------------
    teacher_share: float = 0.05          # of a part's time kept for the teacher assignment after a model
                                         # that knew only a relaxation of the teacher rules
    after_share: float = 0.05            # ... and kept for filling, explaining and writing the solution
    captive_share: float = 0.15          # at most, for the captive-venue bounds (`bounds.captive_bound`)
    captive_small_share: float = 0.3     # ... but on small parts up to this share, enough for
                                         # `cluster_min_seconds` + `captive_extra_seconds`
    captive_extra_seconds: float = 2.0   # seconds beyond `cluster_min_seconds` the captive bounds may take
    captive_start_share: float = 0.1     # for planning the captive venues around the start (`captive_start`)
    ruin_share: float = 0.8              # of the time left after the start, for ruin and recreate
    pattern_tier1_share: float = 0.5     # of the counting model's time for tier 1; after ruin and recreate
                                         # it seldom places more, so the rest settles the lower tiers
    progress_repair_seconds: float = 1.0  # per repair of a relaxed solution while CP-SAT runs (`RepairWatch`)
    split_share: float = 0.85            # of the time for the parts of a split problem; the rest explains
                                         # and writes after all parts
    min_model_seconds: float = 0.5       # CP-SAT and the teacher assignment get at least this long, even
                                         # when the earlier steps used up the part's time
    min_tier_seconds: float = 0.2        # a lower tier with less time left than this is not started

    # -- which model, how big -------------------------------------------------------------
    pattern_model_from: int = 500        # learners in a part from which the counting model (patterns.py) is
                                         # used instead of the exact slot model (model.py)
    exact_teacher_sessions: int = 12000  # (group, teacher, slot) choices above which the slot model keeps
                                         # only capacity rows for teachers and assigns them afterwards
    max_groups_per_offer: int = 64       # group places per course and venue at most (a safety valve)
    tier1_share: float = 0.85            # of the slot model's time for tier 1; the lower tiers the rest
    resolve_tier1_share: float = 0.5     # ... in a re-solve, which starts from the published timetable kept
                                         # and filled: the rest keeps it (tier 2) and settles tiers 3-4
    patterns_per_offer: int = 24         # weekly patterns per course and venue in the counting model
    pattern_full_workers: int = 2        # counting-model CP-SAT workers on the full problem (with 4 or
                                         # more workers); the rest search neighbourhoods of the best

    # -- bounds (`bounds.py`) ---------------------------------------------------------------
    min_captive: int = 3                 # captive learners a venue needs for its own CP-SAT bound
    cluster_min_seconds: float = 8.0     # time the captive venues' joint model needs to be worth running
    cluster_max_learners: int = 300      # learners at most in that joint model (building it is not timed)
    cluster_workers: int = 3             # CP-SAT workers for it at most
    teacher_captive: int = 1             # learners whom at most this many teachers could teach join it

    # -- ruin and recreate (`ruin.py`) --------------------------------------------------------
    ruin_max_closed: int = 4             # groups closed at most per step
    ruin_stall_steps: int = 10000        # a search ends after this many steps without placing more (at least)
    ruin_make_place: float = 0.7         # probability that a step makes a place for an unplaced learner
    ruin_pull: float = 0.5               # ... and that it first takes mates out of groups that can spare them
    ruin_targeted: float = 0.3           # probability that a ruin step closes groups at a venue an unplaced
                                         # learner could use
    ruin_random_victims: float = 0.4     # otherwise: probability it closes a random few groups ...
    ruin_venue_victims: float = 0.3      # ... or a few at one venue (the rest: every group of one teacher)
    ruin_capped: float = 0.5             # probability that the refill opens groups only up to what they need
    ruin_any_teacher: float = 0.5        # probability that the refill gives a group any free teacher, not
                                         # the nearest (often the one a far venue needs)
    max_helpers: int = 3                 # helper search processes per part at most
    helper_min_seconds: float = 3.0      # a helper only when the search has this long (starting takes ~0.5 s)
    helper_grace_seconds: float = 5.0    # a helper's time after the deadline to send its timetable

    # -- splitting (`regions.py`) -------------------------------------------------------------
    teacher_reach_minutes: int = 120     # places this near may share a teacher: they stay in one region

    # -- the objective ------------------------------------------------------------------------
    weights: Weights = field(default_factory=Weights)  # tiers 2-4; a problem's `weights` override them

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "weights":
                if not isinstance(value, Weights):
                    raise TypeError("weights must be a solver.config.Weights")
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{f.name} must be a non-negative number, got {value!r}")
            if f.type in ("int", int) and not isinstance(value, int):
                raise ValueError(f"{f.name} must be a whole number, got {value!r}")
            if f.name.endswith("_share") or f.name.startswith("ruin_") and isinstance(value, float):
                if value > 1:
                    raise ValueError(f"{f.name} is a share or probability: use a number from 0 to 1")

    def with_settings(self, settings: Mapping[str, str]) -> "SolverConfig":
        """A copy with fields set from text ("ruin_make_place" -> "0.5"; "weights.group" -> "40")."""
        plain, weights = {}, {}
        kinds = {f.name: f.type for f in fields(self)}
        for name, text in settings.items():
            if name.startswith("weights."):
                key = name.split(".", 1)[1]
                if key not in WEIGHT_NAMES:
                    raise ValueError(f"unknown weight {key!r}; use one of {', '.join(WEIGHT_NAMES)}")
                weights[key] = int(text)
            elif name in kinds and name != "weights":
                plain[name] = int(text) if kinds[name] in ("int", int) else float(text)
            else:
                known = ", ".join(n for n in kinds if n != "weights")
                raise ValueError(f"unknown setting {name!r}; use one of {known} or weights.NAME")
        return replace(self, weights=replace(self.weights, **weights), **plain)


DEFAULT = SolverConfig()
