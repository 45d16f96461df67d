"""The nine catalogues are complete: every text in the code, translated, not fuzzy, placeholders kept, compiled."""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "nortime" / "translations"
LANGUAGES = ("nb", "en", "pl", "lt", "uk", "ar", "ti", "so", "fa_AF")


@lru_cache
def tools():
    spec = importlib.util.spec_from_file_location("nortime_translations_update", FOLDER / "update.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@lru_cache
def code_messages() -> frozenset:
    """Every msgid the code and templates use, extracted as babel.cfg says."""
    return frozenset(message.id for message in tools().template() if message.id)


@lru_cache
def catalogue(language: str):
    with open(FOLDER / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def strings(message) -> tuple:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def test_the_code_has_texts_to_translate():
    assert len(code_messages()) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_code_is_in_the_catalogue(language):
    present = {message.id for message in catalogue(language) if message.id}
    missing = sorted(str(mid) for mid in code_messages() - present)
    assert not missing, f"{language}: {len(missing)} texts not in the catalogue, e.g. {missing[:5]}; " \
                        "run python nortime/translations/update.py"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_untranslated_or_fuzzy(language):
    untranslated = [str(m.id) for m in catalogue(language) if m.id and not all(strings(m))]
    fuzzy = [str(m.id) for m in catalogue(language) if m.id and m.fuzzy]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    problems = [f"{m.id!r}: {error}" for m, errors in catalogue(language).check() for error in errors]
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_most_texts_really_are_translated(language):
    # A copy of the English source would pass the checks above; names and codes may stay the same.
    messages = [m for m in catalogue(language) if m.id and isinstance(m.id, str)]
    same = [m.id for m in messages if m.string == m.id]
    assert len(same) < 0.1 * len(messages), f"{language}: {len(same)} messages are left in English, e.g. {same[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    path = FOLDER / language / "LC_MESSAGES" / "messages.mo"
    assert path.exists(), f"{path} is missing; run python nortime/translations/update.py --compile"
    with open(path, "rb") as handle:
        compiled = read_mo(handle)
    stale = [str(m.id) for m in catalogue(language) if m.id and
             (m.id not in compiled or strings(compiled[m.id]) != strings(m))]
    assert not stale, f"{language}: the .mo file is out of date ({len(stale)} messages differ); " \
                      "run python nortime/translations/update.py --compile"


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_and_errors_come_out_in_the_language(client, language):
    expected = {m.id: strings(m)[0] for m in catalogue(language)}
    page = client.get(f"/signup?lang={language}").data.decode()
    assert f'lang="{language.replace("_", "-")}"' in page
    assert ('<html lang="' + language.replace("_", "-") + '" dir="rtl"' in page) == (language in ("ar", "fa_AF"))
    assert expected["Sign up: about you"] in page
    error = client.post(f"/signup?lang={language}", data={"name": ""}).data.decode()
    assert expected["Please write your name."] in error
