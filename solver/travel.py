"""Driving minutes between places: the listed matrix, else an estimate from coordinates."""

from __future__ import annotations

import math

import numpy as np

from solver.problem import Place, Problem

EARTH_RADIUS_KM = 6371.0088
ROAD_FACTOR = 1.3  # roads wind around fjords; spec: great-circle distance x 1.3
SPEED_KM_PER_HOUR = 60.0


def great_circle_km(a: Place, b: Place) -> float:
    """Haversine distance between two places in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def estimated_minutes(a: Place, b: Place) -> int:
    """Spec estimate for an unlisted pair: great-circle km x 1.3 at 60 km/h, rounded up."""
    if a.id == b.id:
        return 0
    minutes = great_circle_km(a, b) * ROAD_FACTOR / SPEED_KM_PER_HOUR * 60
    # Round away float noise first so an exact whole number of minutes is not pushed up by one.
    return math.ceil(round(minutes, 9))


def travel_matrix(problem: Problem) -> tuple[dict[str, int], np.ndarray]:
    """Place id -> index, and int32 driving minutes [P, P] (symmetric, 0 on the diagonal)."""
    index = {place.id: i for i, place in enumerate(problem.places)}
    lat = np.radians([place.lat for place in problem.places])
    lon = np.radians([place.lon for place in problem.places])
    # Same haversine and rounding as estimated_minutes, for every pair at once.
    h = (np.sin((lat[None, :] - lat[:, None]) / 2) ** 2
         + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[None, :] - lon[:, None]) / 2) ** 2)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
    minutes = np.ceil(np.round(km * ROAD_FACTOR / SPEED_KM_PER_HOUR * 60, 9)).astype(np.int32)
    np.fill_diagonal(minutes, 0)
    minutes = np.minimum(minutes, minutes.T)  # exactly symmetric whatever the float order
    for a, b, listed in problem.travel_minutes:
        minutes[index[a], index[b]] = minutes[index[b], index[a]] = listed
    return index, minutes


def travel_minutes_between(problem: Problem, a: str, b: str) -> int:
    """Driving minutes between two place ids (listed, else estimated)."""
    if a == b:
        return 0
    for x, y, listed in problem.travel_minutes:
        if {x, y} == {a, b}:
            return listed
    places = {place.id: place for place in problem.places}
    return estimated_minutes(places[a], places[b])
