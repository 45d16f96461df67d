"""The live plan: which plan is published for a provider's term, and the lock that keeps it single.

A plan is live when it is published. There is at most one per provider and
term (a partial unique index says so, see `models.Plan`), so "the published
plan" has one answer. Every page, feed, count and explanation asks here:

- `live_plan(provider, term)`: the live plan of one term, or None;
- `current_live_plan(provider)`: the live plan of the provider's current term
  (what a learner's page, a learner's feed and the counts show);
- `live_plans()`: every live plan; `of_live_plans(query)`: a query over groups,
  narrowed to the groups of live plans (feeds, catalogue, attendance).

Whoever changes which plan is live or what is in it (publishing, a finished
solve replacing the draft, seating a learner) first takes `lock_term` or
`lock_row`, so two such changes never interleave.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from ..db import db
from ..models import Group, Plan, Provider, Term

LIVE = "published"


def _id(thing) -> int:
    return getattr(thing, "id", thing)


def live_plan(provider: Provider | int, term: Term | int) -> Plan | None:
    """The published plan of `provider`'s `term`, or None when nothing is published for it."""
    return db.session.scalar(select(Plan).where(Plan.provider_id == _id(provider), Plan.term_id == _id(term),
                                                Plan.status == LIVE))


def current_live_plan(provider: Provider | int | None, today: dt.date | None = None) -> Plan | None:
    """The live plan of the provider's current term (see `planning.current_term`), or None."""
    from .planning import current_term

    if provider is None:
        return None
    if not isinstance(provider, Provider):
        provider = db.session.get(Provider, provider)
        if provider is None:
            return None
    term = current_term(provider, today)
    return live_plan(provider, term) if term is not None else None


def current_live_plans(today: dt.date | None = None) -> dict[int, Plan]:
    """Each provider's `current_live_plan`, by provider id (providers without one are left out)."""
    plans = {}
    for provider in db.session.scalars(select(Provider).order_by(Provider.id)):
        plan = current_live_plan(provider, today)
        if plan is not None:
            plans[provider.id] = plan
    return plans


def live_plans(provider: Provider | int | None = None) -> list[Plan]:
    """Every live plan (one per provider and term), or those of one provider."""
    query = select(Plan).where(Plan.status == LIVE)
    if provider is not None:
        query = query.where(Plan.provider_id == _id(provider))
    return list(db.session.scalars(query.order_by(Plan.provider_id, Plan.term_id)))


def of_live_plans(query: Select) -> Select:
    """`query` (over Group) narrowed to the groups of live plans; Plan is joined for further conditions."""
    return query.join(Plan, Plan.id == Group.plan_id).where(Plan.status == LIVE)


def is_live(plan: Plan | None) -> bool:
    return plan is not None and plan.status == LIVE


# --- locks ----------------------------------------------------------------------------------


def lock_row(model, ident: int) -> None:
    """Make this transaction the only writer of the row until it commits or rolls back.

    PostgreSQL: `SELECT ... FOR UPDATE` on the row. SQLite locks the whole
    database, so the transaction becomes a writer at once (`BEGIN IMMEDIATE`)
    instead of at its first write; a check made after this call and the write
    that follows it cannot interleave with another writer's. Call it before
    reading what the check needs, and let the service commit or roll back.
    """
    db.session.flush()  # the caller's pending changes belong to this transaction; a refresh must not drop them
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:  # already writing: SQLite holds the write lock until the commit
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    table = model.__table__
    connection.execute(select(table.c.id).where(table.c.id == ident).with_for_update())


def lock_term(term: Term | int) -> None:
    """Serialise whatever changes which plan of this term is draft, live or archived (see `lock_row`)."""
    lock_row(Term, _id(term))
