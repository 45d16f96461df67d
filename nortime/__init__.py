"""nortime: Norwegian courses scheduled around shift work.

`create_app()` builds the Flask application; nothing is created at import time.
"""
from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

from flask import Flask

from .config import ConfigError, apply_environment, check_database, defaults, instance_secret_key, validate
from .config import create_private_sqlite_file

PACKAGE_DIR = Path(__file__).resolve().parent


def template_folder() -> str:
    """templates/ beside the package in a checkout, or share/nortime/templates when installed."""
    candidates = [
        PACKAGE_DIR.parent / "templates",
        PACKAGE_DIR.parents[3] / "share" / "nortime" / "templates" if len(PACKAGE_DIR.parents) > 3 else None,
        Path(sysconfig.get_path("data")) / "share" / "nortime" / "templates",
        Path(sys.prefix) / "share" / "nortime" / "templates",
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "base.html").is_file():
            return str(candidate)
    raise ConfigError("cannot find nortime's templates folder; reinstall nortime with 'pip install .'")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Bad configuration stops start-up with a one-line message (SystemExit)."""
    try:
        return _create_app(test_config)
    except ConfigError as error:
        raise SystemExit(f"nortime: configuration error: {error}") from None


def _create_app(test_config: dict | None) -> Flask:
    instance_path = os.environ.get("NORTIME_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder=template_folder())
    app.config.from_mapping(defaults(app.instance_path))
    try:
        app.config.from_pyfile("config.py", silent=True)
    except Exception as error:  # a syntax error in the operator's own file
        raise ConfigError(f"instance/config.py cannot be read: {error}") from None
    apply_environment(app.config)
    if test_config:
        app.config.from_mapping(test_config)
    validate(app.config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    create_private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["CHECK_DATABASE_ON_START"]:
        check_database(app.config["SQLALCHEMY_DATABASE_URI"])

    from .ids import RowId

    app.url_map.converters["int"] = RowId  # before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    from . import security

    security.init_app(app)

    from . import cli

    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask import g

    from .db import db, migrate
    from .extensions import babel, csrf, limiter, login_manager
    from .i18n import LANGUAGES, RTL, html_lang, select_locale, text_direction

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(PACKAGE_DIR / "translations"),
                   default_timezone=app.config["TIMEZONE"])
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        from .models import User

        from .auth import session_is_current

        user = db.session.get(User, int(user_id)) if user_id.isdecimal() else None
        return user if user is not None and user.active and session_is_current(user) else None

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        language = str(get_locale() or "nb")
        return {"languages": LANGUAGES, "current_language": language, "html_lang": html_lang, "rtl_languages": RTL,
                "text_direction": text_direction(language)}

    from .i18n import clock_range, left_to_right, list_of, weekday_name

    app.jinja_env.filters["weekday_name"] = weekday_name
    app.jinja_env.filters["clock_range"] = clock_range
    app.jinja_env.filters["list_of"] = list_of
    app.jinja_env.filters["ltr"] = left_to_right

    @app.before_request
    def _clear_learner_language():
        g.learner_language = None


def _register_blueprints(app: Flask) -> None:
    from . import auth, coordinators, employers, feeds, learners, providers, public
    from .employers import join

    for blueprint in (public.bp, auth.bp, learners.bp, providers.bp, coordinators.bp, feeds.bp, employers.bp,
                      join.bp):
        app.register_blueprint(blueprint)
