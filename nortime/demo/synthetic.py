"""A seeded, realistic Midt-Troms scheduling problem, for the demo and the benchmarks.

The region's facts (municipalities, 13 places, driving minutes) come from
`nortime/demo/data/midt_troms.json`. On top of them this module invents, from a seed:
two providers with ten venues, about 25 teachers, A1-B2 courses, a spring term
with Norwegian public holidays and the Troms school breaks closed, candidate
evening and weekend slots, and learners whose rotas follow the local work:
fish processing on Senja's outer coast, the smelter and health care around
Finnsnes, the army at Setermoen and Bardufoss, offshore, weekend retail.

`midt_troms_problem()` returns a problem document in the solver's JSON form
(solver/README.md) with a few optional fields the web demo uses: `name`,
`language`, `provider` and `preset` on learners, `provider` and `address` on
venues, `provider` on courses and teachers, and a top-level `providers` list.
With `regions=k` it returns k disjoint copies of the region, each moved far
away from the others, for benchmarks of decomposition.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from functools import lru_cache
from pathlib import Path

from ..rota_presets import build_rota
from .school_calendar import closed_days

DATA = Path(__file__).with_name("data") / "midt_troms.json"

PROVIDERS = [
    {"id": "mtvo", "name": "Midt-Troms voksenopplæring"},
    {"id": "fu-nord", "name": "Folkeuniversitetet Nord"},
]

WEEKDAY_EVENINGS = {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "16:00", "to": "22:00"}
SATURDAY = {"days": ["sat"], "from": "09:00", "to": "16:00"}
SUNDAY = {"days": ["sun"], "from": "11:00", "to": "17:00"}

# (id, provider, name, address, place, rooms, open windows)
VENUES = [
    ("finnsnes-vo", "mtvo", "Senja voksenopplæring", "Storgata 22, 9300 Finnsnes", "finnsnes", 3,
     [WEEKDAY_EVENINGS, SATURDAY, SUNDAY]),
    ("sorreisa-skole", "mtvo", "Sørreisa skole", "Skoleveien 1, 9310 Sørreisa", "sorreisa", 1,
     [WEEKDAY_EVENINGS, SATURDAY]),
    ("moen-vo", "mtvo", "Målselv voksenopplæring", "Moenveien 14, 9321 Moen", "moen", 2,
     [WEEKDAY_EVENINGS, SATURDAY]),
    ("setermoen-vo", "mtvo", "Bardu voksenopplæring", "Altevannsveien 2, 9360 Bardu", "setermoen", 2,
     [WEEKDAY_EVENINGS, SATURDAY, SUNDAY]),
    ("sjovegan-vo", "mtvo", "Salangen voksenopplæring", "Sjøveien 8, 9350 Sjøvegan", "sjovegan", 1,
     [WEEKDAY_EVENINGS, SATURDAY]),
    ("brostadbotn-skole", "mtvo", "Dyrøy skole", "Brøstadbotn, 9311 Brøstadbotn", "brostadbotn", 1,
     [WEEKDAY_EVENINGS]),
    ("gryllefjord-skole", "mtvo", "Gryllefjord skole", "Gryllefjord, 9380 Gryllefjord", "gryllefjord", 1,
     [WEEKDAY_EVENINGS, SATURDAY, SUNDAY]),
    ("husoy-grendehus", "mtvo", "Husøy grendehus", "Husøyveien 5, 9389 Husøy i Senja", "husoy", 1,
     [WEEKDAY_EVENINGS, SATURDAY, SUNDAY]),
    ("finnsnes-fu", "fu-nord", "Folkeuniversitetet Finnsnes", "Strandveien 9, 9300 Finnsnes", "finnsnes", 2,
     [WEEKDAY_EVENINGS, SATURDAY]),
    ("bardufoss-fu", "fu-nord", "Folkeuniversitetet Bardufoss", "Andselv sentrum, 9325 Bardufoss",
     "bardufoss", 1, [WEEKDAY_EVENINGS, SATURDAY]),
]
# Rooms that seat fewer than a course's max_group (the venue's `seats`); the rest seat every group.
SEATS = {"brostadbotn-skole": 8}

# The municipal provider meets twice a week for two hours; Folkeuniversitetet once
# a week for two and a half (17:30-20:00 is its usual evening).
COURSES = [
    (provider, f"{provider}-{level.lower()}", f"Norsk {level}", level, per_week, minutes, min_group, max_group)
    for provider, per_week, minutes, min_group, max_group in (("mtvo", 2, 120, 5, 12), ("fu-nord", 1, 150, 6, 14))
    for level in ("A1", "A2", "B1", "B2")
]

SLOTS = (
    [{"day": day, "start": start} for day in ("mon", "tue", "wed", "thu", "fri")
     for start in ("16:30", "17:30", "18:00", "19:00")]
    + [{"day": "sat", "start": start} for start in ("10:00", "12:00", "13:30")]
    + [{"day": "sun", "start": start} for start in ("11:00", "13:00", "14:30")]
)

# Spring term 2027 in Troms; its closed days come from nortime.demo.school_calendar.
TERM = ("2027-01-11", "2027-06-11")

# Rota mixes by where people live: (preset id, weight).
ROTA_MIX = {
    "fish": [("two_shift", 5), ("fish_cod_season", 4), ("office", 1), ("none", 1)],
    "town": [("health_3week", 4), ("health_2week", 2), ("continuous_3shift", 3), ("office", 3),
             ("weekend_retail", 2), ("offshore_14_28", 2), ("land_14_21", 1), ("none", 2)],
    "army": [("army_field_week", 5), ("office", 2), ("health_3week", 1), ("weekend_retail", 1), ("none", 1)],
    "rural": [("two_shift", 2), ("health_3week", 2), ("office", 2), ("offshore_14_28", 1), ("none", 2)],
}
PLACE_KIND = {
    "husoy": "fish", "gryllefjord": "fish", "skaland": "fish",
    "finnsnes": "town", "silsand": "town", "sorreisa": "town",
    "setermoen": "army", "bardufoss": "army", "moen": "army",
    "gibostad": "rural", "vangsvik": "rural", "brostadbotn": "rural", "sjovegan": "rural",
}
# Roughly where newcomers live (fish plants draw many to small places).
PLACE_WEIGHT = {
    "finnsnes": 22, "silsand": 10, "husoy": 12, "gryllefjord": 9, "skaland": 4, "gibostad": 3,
    "vangsvik": 3, "sorreisa": 7, "bardufoss": 9, "moen": 5, "setermoen": 8, "brostadbotn": 3, "sjovegan": 4,
}
LEVEL_WEIGHT = {"A1": 30, "A2": 30, "B1": 25, "B2": 15}
LANGUAGE_NAMES = {
    "pl": (["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł", "Agnieszka", "Marcin"],
           ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zielińska"]),
    "lt": (["Jonas", "Rūta", "Tomas", "Eglė", "Mantas", "Gintarė", "Darius"],
           ["Kazlauskas", "Petrauskaitė", "Jankauskas", "Stankevičius", "Vasiliauskienė"]),
    "uk": (["Olena", "Andrii", "Iryna", "Oleksandr", "Natalia", "Serhii", "Yulia"],
           ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchenko"]),
    "ar": (["Ahmad", "Fatima", "Omar", "Layla", "Yusuf", "Huda", "Khaled", "Rasha"],
           ["Al-Hassan", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh"]),
    "en": (["Maria", "Jose", "Angelica", "Grace", "Samuel", "Thanh", "Mehret", "Abdi", "Somchai"],
           ["Santos", "Reyes", "Nguyen", "Tesfay", "Mohamed", "Bautista", "Ochieng"]),
}
LANGUAGE_WEIGHT = {"pl": 30, "lt": 20, "uk": 20, "ar": 15, "en": 15}
TEACHER_NAMES = [
    "Kari Nilsen", "Ola Hansen", "Ingrid Johansen", "Per Olsen", "Marit Larsen", "Knut Andersen",
    "Sigrid Pedersen", "Lars Berg", "Hilde Karlsen", "Tor Eriksen", "Anne Solberg", "Arne Jensen",
    "Liv Mikkelsen", "Bjørn Strand", "Randi Moe", "Geir Haugen", "Tone Bakken", "Svein Lund",
    "Grete Nygård", "Eirik Holm", "Silje Dahl", "Jon Aas", "Berit Lie", "Trond Sæther", "Åse Vik",
]


@lru_cache(maxsize=1)
def region_facts() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def closed_dates(first_day: str, last_day: str) -> list[dict]:
    """Days without classes in the term (public holidays, Troms school breaks), with reasons."""
    return [{"date": day.isoformat(), "reason": reason}
            for day, reason in closed_days(dt.date.fromisoformat(first_day), dt.date.fromisoformat(last_day))]


def _pick(rng: random.Random, weighted: dict | list) -> str:
    items = list(weighted.items()) if isinstance(weighted, dict) else weighted
    return rng.choices([key for key, _ in items], weights=[weight for _, weight in items])[0]


def _teachers(rng: random.Random, suffix: str) -> list[dict]:
    """About 25 teachers: most can teach two neighbouring levels, some work Saturdays."""
    homes = ["finnsnes", "finnsnes", "silsand", "sorreisa", "moen", "bardufoss", "setermoen",
             "sjovegan", "brostadbotn", "gryllefjord", "husoy", "gibostad"]
    level_pairs = [["A1", "A2"], ["A2", "B1"], ["B1", "B2"], ["A1", "A2", "B1"], ["B1", "B2"]]
    teachers = []
    for index, name in enumerate(TEACHER_NAMES):
        provider = "fu-nord" if index % 5 == 4 else "mtvo"
        windows = [{"days": ["mon", "tue", "wed", "thu"], "from": "16:00", "to": "22:00"}]
        if rng.random() < 0.5:
            windows.append({"days": ["sat", "sun"], "from": "09:00", "to": "17:00"})
        teachers.append({
            "id": f"t{index + 1:02d}{suffix}", "name": name, "home": homes[index % len(homes)] + suffix,
            "levels": level_pairs[index % len(level_pairs)], "provider": provider,
            "max_sessions_per_week": rng.choice([4, 6, 6, 8]), "available": windows,
        })
    return teachers


def _learner(rng: random.Random, number: int, suffix: str, term_first: dt.date) -> dict:
    home = _pick(rng, PLACE_WEIGHT)
    preset = _pick(rng, ROTA_MIX[PLACE_KIND[home]])
    language = _pick(rng, LANGUAGE_WEIGHT)
    first_names, last_names = LANGUAGE_NAMES[language]
    anchor = term_first - dt.timedelta(days=rng.randrange(0, 42))
    learner = {
        "id": f"L{number:05d}{suffix}",
        "name": f"{rng.choice(first_names)} {rng.choice(last_names)}",
        "language": language,
        "provider": "fu-nord" if language in ("pl", "lt") and rng.random() < 0.6 else "mtvo",
        "home": home + suffix,
        "level": _pick(rng, LEVEL_WEIGHT),
        "max_travel_minutes": rng.choice([20, 30, 45, 45, 60, 60, 90]),
        "buffer_minutes": rng.choice([15, 30, 30, 30, 45]),
        "priority": 2 if rng.random() < 0.1 else 1,
        "preset": preset,
    }
    rota = build_rota(preset, anchor, week=rng.randrange(0, 4))
    if rota is not None:
        learner["rota"] = rota
    if rng.random() < 0.25:
        learner["prefer_days"] = sorted(rng.sample(["mon", "tue", "wed", "thu", "sat"], 2))
    if rng.random() < 0.2:
        day = term_first + dt.timedelta(days=rng.randrange(0, 140))
        learner["busy"] = [{"start": f"{day.isoformat()}T08:00", "end": f"{day.isoformat()}T23:00"}]
    return learner


def midt_troms_problem(learners: int = 300, seed: int = 1, regions: int = 1,
                       term: tuple[str, str] = TERM) -> dict:
    """A realistic problem document for the Midt-Troms region (see the module docstring)."""
    rng = random.Random(seed)
    facts = region_facts()
    first_day, last_day = term
    doc: dict = {
        "format": "nortime.problem/1",
        "timezone": "Europe/Oslo",
        "term": {"first_day": first_day, "last_day": last_day,
                 "closed": [entry["date"] for entry in closed_dates(first_day, last_day)]},
        "providers": PROVIDERS,
        "places": [], "travel_minutes": [], "slots": SLOTS,
        "venues": [], "courses": [], "teachers": [], "learners": [],
        "current": {"groups": [], "locked": []}, "weights": {},
    }
    per_region = [learners // regions + (1 if index < learners % regions else 0) for index in range(regions)]
    number = 0
    for region in range(regions):
        # Copies of the region sit 3 degrees of latitude apart: hours of driving.
        suffix = "" if regions == 1 else f"-r{region + 1}"
        shift = 3.0 * region
        doc["places"] += [dict(place, id=place["id"] + suffix, name=place["name"] + suffix.replace("-r", " "),
                               lat=round(place["lat"] - shift, 4)) for place in facts["places"]]
        doc["travel_minutes"] += [[a + suffix, b + suffix, minutes] for a, b, minutes in facts["travel_minutes"]]
        doc["venues"] += [{"id": vid + suffix, "name": name + suffix.replace("-r", " "), "address": address,
                           "provider": provider, "place": place + suffix, "rooms": rooms, "open": windows}
                          | ({"seats": SEATS[vid]} if vid in SEATS else {})
                          for vid, provider, name, address, place, rooms, windows in VENUES]
        doc["courses"] += [{"id": cid + suffix, "name": name, "level": level, "provider": provider,
                            "sessions_per_week": per_week, "session_minutes": minutes,
                            "min_group": min_group, "max_group": max_group, "min_attendance": 0.75,
                            "venues": [vid + suffix for vid, vprovider, *_ in VENUES if vprovider == provider]}
                           for provider, cid, name, level, per_week, minutes, min_group, max_group in COURSES]
        doc["teachers"] += _teachers(rng, suffix)
        term_first = dt.date.fromisoformat(first_day)
        for _ in range(per_region[region]):
            number += 1
            doc["learners"].append(_learner(rng, number, suffix, term_first))
    return doc
