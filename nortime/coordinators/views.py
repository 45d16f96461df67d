"""The coordinators' dashboard: the region's counts as figures, charts, tables and CSV."""
from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from ..auth import role_required
from ..charts import Series, bar_chart, line_chart
# A module import, not a name: counting imports .tables from this package (no import cycle then).
from ..services import counting
from . import bp
from ..services.count_tables import TOTAL, Column, CountTable, HiddenTexts, Row, csv_bytes, display, to_csv


def hidden_texts() -> HiddenTexts:
    """How hidden cells read, in the request's language."""
    return HiddenTexts(fewer=_("fewer than 5"), hidden=_("hidden"))


def local_number(value: float, decimals: int) -> str:
    return format_decimal(value, format="#,##0.0" if decimals else "#,##0")


def cell_text(table: CountTable, row: Row, column: Column | str) -> str:
    if isinstance(column, str):
        column = next(one for one in table.columns if one.key == column)
    return display(table, row, column, hidden_texts(), local_number)


def bar_value(table: CountTable, row: Row, column: str) -> float | str:
    """The number for a bar, or the hidden cell's text."""
    value = table.value(row, column)
    return cell_text(table, row, column) if value is None else value


def ranked(table: CountTable, column: str) -> list[Row]:
    """The rows, shown numbers largest first, then the hidden ones by name (their order must tell nothing)."""
    shown = [row for row in table.rows if table.value(row, column) is not None]
    hidden = [row for row in table.rows if table.value(row, column) is None]
    return sorted(shown, key=lambda row: -row.values[column]) + sorted(hidden, key=lambda row: row.label)


def row_label(row: Row) -> str:
    return _("Total") if row.key == TOTAL else row.label


def charts(counts) -> dict:
    """The dashboard's three charts, drawn from the same (already suppressed) tables as the page shows."""
    hidden = _("Some weeks are hidden: fewer than 5")
    municipality, level, week = (counts.tables[key] for key in ("municipality", "level", "week"))
    return {
        "municipality": bar_chart(
            "chart-municipality", _("Participants by home municipality"),
            _("Bar chart of learners placed in a group, per home municipality; the numbers are in the table below."),
            [(row.label, bar_value(municipality, row, "placed")) for row in municipality.rows]),
        "level": bar_chart(
            "chart-level", _("Participants by level"),
            _("Bar chart of learners placed in a group, per level; the numbers are in the table below."),
            [(row.label, bar_value(level, row, "placed")) for row in level.rows]),
        "week": line_chart(
            "chart-week", _("Participants week by week"),
            _("Line chart of participants per week of the term: placed in a group that meets that week, and "
              "marked present; the numbers are in the table below."),
            [row.label for row in week.rows],
            [Series(_("Participants"), tuple(week.value(row, "participants") for row in week.rows)),
             Series(_("Attending"), tuple(week.value(row, "attending") for row in week.rows))], hidden),
    }


def all_tables(counts) -> dict[str, CountTable]:
    tables = {"region": counts.headline, **counts.tables}
    if counts.what_if is not None:
        tables["what_if"] = counts.what_if
    return tables


@bp.route("/")
@role_required("coordinator")
def index():
    counts = counting.region_counts()
    from ..outbox import counts_by_channel
    from ..services.messages import labels

    return render_template("coordinators/dashboard.html", counts=counts, charts=charts(counts),
                           cell_text=cell_text, row_label=row_label, ranked=ranked, texts=hidden_texts(),
                           number=local_number, message_counts=counts_by_channel(), message_labels=labels())


@bp.route("/tables/<key>.csv")
@role_required("coordinator")
def table_csv(key: str):
    table = all_tables(counting.region_counts()).get(key)
    if table is None:
        abort(404)
    delimiter = ";" if request.args.get("sep") == "semicolon" else ","
    body = csv_bytes(to_csv(table, hidden_texts(), _("Total"), delimiter))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="nortime-{key}.csv"'})
