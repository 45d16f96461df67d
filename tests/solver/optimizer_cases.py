"""Small hand-made problems for the optimizer tests (importable by name: the
folder's conftest puts it on sys.path)."""

import copy


def base_problem(learners=(), *, rooms=1, slots=None, teachers=None, courses=None, venues=None):
    """A one-town problem: Finnsnes and Silsand 8 minutes apart, far-away Husøy, a 4-week term."""
    problem = {
        "format": "nortime.problem/1",
        "timezone": "Europe/Oslo",
        "term": {"first_day": "2027-01-11", "last_day": "2027-02-07", "closed": ["2027-01-20"]},
        "places": [
            {"id": "finnsnes", "name": "Finnsnes", "municipality": "5530", "lat": 69.2294, "lon": 17.9811},
            {"id": "silsand", "name": "Silsand", "municipality": "5530", "lat": 69.2386, "lon": 17.9389},
            {"id": "husoy", "name": "Husøy", "municipality": "5530", "lat": 69.5422, "lon": 17.6625},
        ],
        "travel_minutes": [["finnsnes", "silsand", 8], ["finnsnes", "husoy", 80], ["silsand", "husoy", 75]],
        "slots": slots or [{"day": "mon", "start": "18:00"}, {"day": "tue", "start": "18:00"},
                           {"day": "wed", "start": "18:00"}, {"day": "sat", "start": "10:00"}],
        "venues": venues or [
            {"id": "fvo", "name": "Finnsnes VO", "place": "finnsnes", "rooms": rooms,
             "open": [{"days": ["mon", "tue", "wed", "thu"], "from": "16:00", "to": "22:00"},
                      {"days": ["sat"], "from": "09:00", "to": "16:00"}]},
        ],
        "courses": courses or [
            {"id": "a2", "name": "Norsk A2", "level": "A2", "sessions_per_week": 2, "session_minutes": 120,
             "min_group": 3, "max_group": 4, "min_attendance": 0.75},
        ],
        "teachers": teachers if teachers is not None else [
            {"id": "t-kari", "name": "Kari", "home": "finnsnes", "levels": ["A1", "A2"],
             "max_sessions_per_week": 6,
             "available": [{"days": ["mon", "tue", "wed", "thu", "sat"], "from": "09:00", "to": "22:00"}]},
        ],
        "learners": [copy.deepcopy(l) for l in learners],
        "current": {"groups": [], "locked": []},
        "weights": {},
    }
    return problem


def learner(lid, home="finnsnes", level="A2", **extra):
    return {"id": lid, "home": home, "level": level, **extra}


def evening_shift_on(days):
    """A weekly rota with a 14:00-22:00 shift on the given weekday indexes (0 = Monday)."""
    return {"start": "2027-01-04", "cycle": [[["14:00", "22:00"]] if d in days else [] for d in range(7)]}
