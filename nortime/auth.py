"""Staff accounts: log in and out, and the role checks every staff page uses (issue 7).

Roles: provider staff see their own provider only; coordinators see the region's
counts; administrators may do everything (they pass every role check).
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from .db import db
from .extensions import limiter, login_manager
from .models import ROLES, Provider, Teacher, User

bp = Blueprint("auth", __name__)

MIN_PASSWORD_LENGTH = 10
# A password hash to compare against when the e-mail is unknown, so that a wrong
# e-mail and a wrong password take the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


@bp.record_once
def _configure(state) -> None:
    app = state.app
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    # Cookies only over HTTPS when the site is served over HTTPS (plain http on a laptop must still work).
    if str(app.config.get("BASE_URL") or "").startswith("https://"):
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                 Email(_l("Enter an e-mail address such as name@example.org."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(_("password: use at least %(n)d characters", n=MIN_PASSWORD_LENGTH))


def _account_email(email: str) -> str:
    """The address in its normal form (lower case); ValueError says what is wrong with it."""
    from email_validator import EmailNotValidError, validate_email

    from .learners.forms import EMAIL_MAX

    email = (email or "").strip()
    if len(email) > EMAIL_MAX:
        raise ValueError("email: " + _("The e-mail address is too long. Use at most %(count)s characters.",
                                       count=EMAIL_MAX))
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValueError("email: " + _("This is not an e-mail address. Write it like name@example.no.")) from None


def create_user(email: str, role: str, password: str, *, provider: Provider | None = None, name: str = "",
                teacher: Teacher | None = None, employer=None) -> User:
    """Make a staff account; ValueError names the field when the input cannot be used.

    A teacher's account is linked to their Teacher record (and so to its provider).
    """
    email = _account_email(email)
    if role not in ROLES:
        raise ValueError(_("role: %(role)s is not a role; use one of %(roles)s", role=role, roles=", ".join(ROLES)))
    if role == "provider_staff" and provider is None:
        raise ValueError(_("provider: provider staff need a provider (its slug)"))
    if role == "teacher" and teacher is None:
        raise ValueError(_("teacher: a teacher's account needs their teacher record (its slug)"))
    if role == "employer" and employer is None:
        raise ValueError(_("employer: an employer's staff account needs the employer (its slug)"))
    if role == "teacher":
        provider = teacher.provider
    check_password(password)
    if db.session.scalar(select(User).where(func.lower(User.email) == email)) is not None:
        raise ValueError(_("email: an account with %(email)s exists already", email=email))
    user = User(email=email, name=name, role=role, password_hash=hash_password(password),
                provider_id=provider.id if provider is not None and role in ("provider_staff", "teacher") else None,
                teacher_id=teacher.id if role == "teacher" else None,
                employer_id=employer.id if role == "employer" else None)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, else None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


SESSION_GENERATION = "_session_generation"


def session_is_current(user: User) -> bool:
    """Whether this session was opened since the account last logged out or changed its password."""
    return session.get(SESSION_GENERATION, 0) == user.session_generation


def end_all_sessions(user: User) -> None:
    """Every session cookie of the account stops working, on every device (commits)."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.commit()


def change_password(user: User, password: str) -> None:
    """Set a new password and end every session of the account; ValueError when it is too short."""
    check_password(password)
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def _safe_next(target: str | None) -> str | None:
    """Only local paths: never send someone to another site after logging in."""
    if not target:
        return None
    # Browsers read "/\\host" as "//host"; CR/LF or other control characters would break the Location header.
    if "\\" in target or any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    if user.role == "teacher":
        return url_for("coordinators.attendance.groups")
    if user.role == "employer":
        return url_for("employers.index")
    if user.role == "coordinator":
        return url_for("coordinators.index") if "coordinators.index" in _endpoints() else url_for("public.home")
    return url_for("providers.index")


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            target = _safe_next(request.args.get("next"))
            session.clear()
            login_user(user)
            session[SESSION_GENERATION] = user.session_generation
            return redirect(target or home_for(user))
        flash(_("The e-mail or the password is wrong."), "error")
        status = 401
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    # A copied cookie must not outlive the logout: the account's other sessions end too.
    if current_user.is_authenticated:
        end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def role_required(*roles: str):
    """Let in logged-in users with one of `roles` (administrators always); anonymous → login page, others → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != "admin" and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_provider() -> Provider | None:
    """The provider the logged-in staff member works for.

    Administrators act for the provider they chose (session "provider_id"), else the first one.
    """
    if not current_user.is_authenticated:
        return None
    if "current_provider" in g:
        return g.current_provider
    provider = None
    if current_user.role == "provider_staff":
        provider = db.session.get(Provider, current_user.provider_id)
    elif current_user.role == "admin":
        chosen = session.get("provider_id")
        provider = db.session.get(Provider, chosen) if chosen else None
        if provider is None:
            provider = db.session.scalar(select(Provider).order_by(Provider.id))
    g.current_provider = provider
    return provider
