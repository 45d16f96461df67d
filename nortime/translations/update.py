"""Extract every translatable text, merge it into the nine catalogues, and (with --compile) compile them.

Run from the repository root: python nortime/translations/update.py [--compile]
English is the source language: its catalogue is filled with the source texts.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "nortime" / "translations"
LANGUAGES = ("nb", "en", "pl", "lt", "uk", "ar", "ti", "so", "fa_AF")
LANGUAGE_TEAMS = {"nb": "Norsk bokmål", "en": "English", "pl": "Polski", "lt": "Lietuvių", "uk": "Українська",
                  "ar": "العربية", "ti": "ትግርኛ", "so": "Soomaali", "fa_AF": "دری"}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2)}


def template() -> Catalog:
    """Every text under nortime/ and templates/ as babel.cfg says, with where it was found."""
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="nortime", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return FOLDER / language / "LC_MESSAGES" / "messages.po"


def update() -> None:
    for language in LANGUAGES:
        source = template()  # fresh each time: update() shares message objects with it
        path = po_path(language)
        if path.exists():
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="nortime", charset="utf-8")
        catalog.update(source, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.project, catalog.version = "nortime", "0.1"
        catalog.msgid_bugs_address = ""
        catalog.last_translator = "nortime <post@nortime.no>"
        catalog.language_team = LANGUAGE_TEAMS[language]
        if language == "en":
            for message in catalog:
                if isinstance(message.id, tuple):
                    message.string = tuple(message.id[:2])
                elif message.id and not message.string:
                    message.string = message.id
        with open(path, "wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, omit_header=False)
        missing = sum(1 for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string]))
        print(f"{language}: {len(catalog)} messages, {missing} untranslated")


def compile_all() -> None:
    for language in LANGUAGES:
        path = po_path(language)
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=language)
        problems = [f"{language}: line {m.lineno}: {error}" for m, errors in catalog.check() for error in errors]
        if problems:
            raise SystemExit("\n".join(problems))
        with open(path.with_suffix(".mo"), "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        print(f"{language}: compiled")


if __name__ == "__main__":
    update()
    if "--compile" in sys.argv:
        compile_all()
