"""`flask --app nortime counts`: the dashboard's figures on the command line, same rule, same numbers."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import LANGUAGES
from ..services.count_tables import HiddenTexts, to_csv, to_json

CHOICES = ("municipality", "level", "venue", "week", "provider", "rota", "unplaced", "employer", "sector")


@click.command("counts")
@click.option("--by", "breakdown", type=click.Choice(CHOICES), default="municipality", show_default=True,
              help="Which breakdown to print.")
@click.option("--format", "output_format", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.option("--lang", type=click.Choice(tuple(LANGUAGES)), default="nb", show_default=True,
              help="Language of the labels.")
@with_appcontext
def counts_command(breakdown: str, output_format: str, lang: str) -> None:
    """Print participant counts (numbers under 5 hidden, as on the coordinators' dashboard)."""
    from ..services.counting import region_counts

    with force_locale(lang):
        table = region_counts().tables[breakdown]
        texts = HiddenTexts(fewer=_("fewer than 5"), hidden=_("hidden"))
        if output_format == "json":
            click.echo(json.dumps(to_json(table, texts), ensure_ascii=False, indent=2))
        else:
            click.echo(to_csv(table, texts, _("Total")), nl=False)
