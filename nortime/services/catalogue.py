"""What the region offers: municipalities, their venues, the courses and published times."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import Course, Group, Municipality, Plan, Provider, Venue
from .plans import of_live_plans


@dataclass
class VenueOffer:
    venue: Venue
    courses: list[Course] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)  # published groups meeting here


@dataclass
class MunicipalityOffer:
    municipality: Municipality
    venues: list[VenueOffer] = field(default_factory=list)


def region_offer() -> list[MunicipalityOffer]:
    """Every municipality with its venues, the courses offered there and the published groups."""
    from .planning import usable_venue

    venues = [venue for venue in db.session.scalars(select(Venue).options(selectinload(Venue.place),
                                                                           selectinload(Venue.provider)))
              if usable_venue(venue)]
    courses = db.session.scalars(select(Course).options(selectinload(Course.venues))).all()
    published = db.session.scalars(
        of_live_plans(select(Group))
        .options(selectinload(Group.slots), selectinload(Group.course))
    ).all()
    offers: dict[int, VenueOffer] = {venue.id: VenueOffer(venue) for venue in venues}
    for course in courses:
        # A course without listed venues is offered at all of its provider's venues.
        targets = [v for v in course.venues if usable_venue(v)] or [v for v in venues
                                                                     if v.provider_id == course.provider_id]
        for venue in targets:
            offers[venue.id].courses.append(course)
    for group in published:
        if group.venue_id in offers:
            offers[group.venue_id].groups.append(group)
    result = []
    for municipality in db.session.scalars(select(Municipality).order_by(Municipality.name)):
        here = [offer for offer in offers.values() if offer.venue.place.municipality_number == municipality.number]
        here.sort(key=lambda offer: offer.venue.name)
        for offer in here:
            offer.courses.sort(key=lambda course: (course.level, course.name))
            offer.groups.sort(key=lambda group: (group.course.level, group.key))
        result.append(MunicipalityOffer(municipality, here))
    return result


def published_group(provider_slug: str, key: str) -> Group | None:
    """A group of the provider's published plan, by its stable key; None for drafts and unknown keys."""
    return db.session.scalars(
        of_live_plans(select(Group)).join(Provider, Provider.id == Plan.provider_id)
        .where(Provider.slug == provider_slug, Group.key == key)
        .options(selectinload(Group.slots), selectinload(Group.course), selectinload(Group.venue))
        .order_by(Plan.published_at.desc(), Plan.id.desc()).limit(1)
    ).first()
