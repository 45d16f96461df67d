"""A workplace room is an ordinary venue in the problem document once its provider accepts it, and absent before."""
from __future__ import annotations

import pytest

from .conftest import signed_in


def problem_venues(provider_id):
    """The venues of the provider's problem document, as the optimizer gets it."""
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Provider, Term
    from nortime.services.planning import build_problem
    from solver.problem import read_problem

    provider = db.session.get(Provider, provider_id)
    term = db.session.scalars(select(Term).where(Term.provider_id == provider.id)).first()
    problem = build_problem(provider, term)
    read_problem(problem)  # the whole document still reads
    return problem["venues"]


def offer(world, name="Kantina"):
    from nortime.db import db
    from nortime.models import Employer, Provider
    from nortime.services import employers

    return employers.offer_workplace(db.session.get(Employer, world.fish), db.session.get(Provider, world.alpha),
                                     name, "husoy", 1, [(["tue", "thu"], "17:00", "21:00")])


def test_an_accepted_room_is_an_ordinary_venue_and_one_not_accepted_is_not(app, world):
    from nortime.db import db
    from nortime.models import Provider
    from nortime.services import employers

    with app.app_context():
        accepted, waiting = offer(world, "Kantina"), offer(world, "Møterom")
        employers.accept_workplace(accepted, db.session.get(Provider, world.alpha))
        venues = problem_venues(world.alpha)
        ids = [venue["id"] for venue in venues]
        assert accepted.slug in ids and waiting.slug not in ids
        entry = next(venue for venue in venues if venue["id"] == accepted.slug)
        assert entry == {"id": accepted.slug, "name": "Kantina", "place": "husoy", "rooms": 1,
                         "open": [{"days": ["tue", "thu"], "from": "17:00", "to": "21:00"}]}
        employers.accept_workplace(accepted, db.session.get(Provider, world.alpha), accept=False)
        assert accepted.slug not in [venue["id"] for venue in problem_venues(world.alpha)]


def test_only_the_provider_offered_the_room_may_accept_it(app, world):
    from nortime.db import db
    from nortime.models import Provider
    from nortime.services import employers

    with app.app_context():
        room = offer(world)
        with pytest.raises(employers.EmployerError):
            employers.accept_workplace(room, db.session.get(Provider, world.beta))


def test_bad_rooms_are_refused(app, world):
    from nortime.db import db
    from nortime.models import Employer, Provider
    from nortime.services import employers

    with app.app_context():
        fish, alpha = db.session.get(Employer, world.fish), db.session.get(Provider, world.alpha)
        for args in (("", "husoy", 1, [(["tue"], "17:00", "21:00")]),
                     ("Kantina", "atlantis", 1, [(["tue"], "17:00", "21:00")]),
                     ("Kantina", "husoy", 0, [(["tue"], "17:00", "21:00")]),
                     ("Kantina", "husoy", 1, [(["tue"], "21:00", "17:00")]),
                     ("Kantina", "husoy", 1, [([], "17:00", "21:00")])):
            with pytest.raises(employers.EmployerError):
                employers.offer_workplace(fish, alpha, *args)


def test_offer_and_accept_through_the_pages(app, client, world):
    from sqlalchemy import select

    from nortime.db import db
    from nortime.models import Venue

    signed_in(client, world.users.fish_staff)
    response = client.post("/employer/workplace", data={"name": "Kantina", "place": "husoy", "rooms": "2",
                                                        "provider": "alpha", "days": ["mon", "wed"],
                                                        "opens": "17:00", "closes": "21:00"})
    assert response.status_code == 302, response.text
    with app.app_context():
        room = db.session.scalars(select(Venue).where(Venue.employer_id == world.fish)).one()
        room_id = room.id
        assert room.accepted_at is None and room.rooms == 2
    signed_in(client, world.users.beta_staff)
    assert client.post("/provider/workplaces", data={"venue": room_id, "action": "accept"}).status_code == 404
    signed_in(client, world.users.alpha_staff)
    assert "Kantina" in client.get("/provider/workplaces").text
    assert client.post("/provider/workplaces", data={"venue": room_id, "action": "accept"}).status_code == 302
    with app.app_context():
        assert db.session.get(Venue, room_id).accepted_at is not None


def test_rooms_whose_names_share_a_beginning_or_are_long_get_their_own_slugs(app, world):
    """'Kantine 2' then 'Kantine' (a LIKE count once gave the second the first one's slug: a 500), and a
    name whose slug would pass the column's 60 characters."""
    with app.app_context():
        rooms = [offer(world, name) for name in ("Kantine 2", "Kantine", "Kantine", "Møterom " + "lang " * 20)]
        slugs = [room.slug for room in rooms]
        assert len(set(slugs)) == 4 and all(len(slug) <= 60 for slug in slugs), slugs
