"""Forms of the learner pages. Every label, hint and error goes through gettext.

Dates and clock times are plain text fields (type=date / type=time in the
browser) checked here, so every error message is our own translated sentence.
"""
from __future__ import annotations


from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import LANGUAGES
from ..models import WEEKDAYS
from ..phones import InvalidPhone, to_e164

NAME_MAX = 120
EMAIL_MAX = 200
# Signs that have no place in a name and are the tools of markup and script injection.
FORBIDDEN_IN_NAME = set("<>{}[]\\\"`;=|$%#*^~")
TRAVEL_CHOICES = (15, 30, 45, 60, 90)
LEVELS = ("A1", "A2", "B1", "B2")


def clean(text: str | None) -> str:
    return (text or "").strip()


def required(form, field):
    if not clean(field.data):
        raise ValidationError(_l("Please fill in this field."))


def check_name(form, field):
    name = clean(field.data)
    if not name:
        raise ValidationError(_l("Please write your name."))
    if len(name) > NAME_MAX:
        raise ValidationError(_l("Your name is too long. Use at most %(count)s characters.", count=NAME_MAX))
    if any(ch in FORBIDDEN_IN_NAME or ord(ch) < 32 for ch in name):
        raise ValidationError(_l("Your name cannot contain signs like < > { } or \". Use letters, spaces, - and '."))


def check_email(form, field):
    email = clean(field.data)
    if not email:
        return
    if len(email) > EMAIL_MAX:
        raise ValidationError(_l("The e-mail address is too long. Use at most %(count)s characters.", count=EMAIL_MAX))
    try:
        field.data = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("This is not an e-mail address. Write it like name@example.no.")) from None




def check_phone(form, field):
    phone = clean(field.data)
    if not phone:
        return
    try:
        field.data = to_e164(phone)
    except InvalidPhone:
        raise ValidationError(_l("This is not a phone number we can send messages to. Write a Norwegian number "
                                 "like 912 34 567, or + and the country code, like +48 600 100 200.")) from None


def choice(values, message):
    """A validator: the answer must be one of `values` (WTForms' own check is switched off)."""
    allowed = {str(value) for value in values}

    def check(form, field):
        data = field.data if isinstance(field.data, list) else [field.data]
        if not data or any(str(item) not in allowed for item in data if item is not None) or None in data:
            raise ValidationError(message)

    return check


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def level_choices():
    return [
        ("A1", _l("A1: I know a few words. I can say my name and where I come from.")),
        ("A2", _l("A2: I can talk about my work and my day in short sentences.")),
        ("B1", _l("B1: I can talk with colleagues and understand most of what they say.")),
        ("B2", _l("B2: I can read the news and take part in meetings in Norwegian.")),
        ("unknown", _l("I do not know. We start with A1 and the teacher checks your level.")),
    ]


def right_choices():
    return [
        ("yes", _l("Yes. The municipality's adult education gives me free Norwegian training.")),
        ("no", _l("No. I pay for the course myself, or my employer pays.")),
        ("unsure", _l("I am not sure. The municipality's adult education will check.")),
    ]


def day_choices():
    from ..i18n import weekday_name

    return [(day, weekday_name(day)) for day in WEEKDAYS]


class AboutForm(FlaskForm):
    """Step 1 of sign-up, and the page where a learner edits their details."""

    name = StringField(_l("Your name"), validators=[check_name])
    email = StringField(_l("E-mail address"), validators=[check_email], render_kw={"autocomplete": "email", "inputmode": "email", "dir": "ltr"})
    phone = StringField(_l("Mobile phone number"), validators=[check_phone], render_kw={"autocomplete": "tel", "inputmode": "tel", "dir": "ltr"})
    language = SelectField(_l("Your language for messages"), validate_choice=False,
                           validators=[choice(LANGUAGES, _l("Choose a language from the list."))])
    home = SelectField(_l("Where do you live?"), validate_choice=False)
    right = RadioField(_l("Do you have the right to free Norwegian training?"), validate_choice=False,
                       validators=[choice(("yes", "no", "unsure"), _l("Choose one answer."))])
    level = RadioField(_l("How much Norwegian do you know?"), validate_choice=False,
                       validators=[choice((*LEVELS, "unknown"), _l("Choose the sentence that fits you best."))])
    travel = SelectField(_l("How far can you travel to a class?"), validate_choice=False,
                         validators=[choice(TRAVEL_CHOICES, _l("Choose a travel time from the list."))])
    days = MultiCheckboxField(_l("Days you like best for classes (you can skip this)"), validate_choice=False)
    session_messages = BooleanField(_l("Send me a reminder the day before my first class, and a message when a "
                                       "class of mine is cancelled or moved."))

    def __init__(self, *args, places: dict[str, list[tuple[str, str]]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place_groups = places or {}
        self.language.choices = list(LANGUAGES.items())
        self.home.choices = [("", _l("Choose a place"))] + [item for group in self.place_groups.values() for item in group]
        self.right.choices = right_choices()
        self.level.choices = level_choices()
        self.travel.choices = [(str(minutes), _l("up to %(minutes)s minutes", minutes=minutes)) for minutes in TRAVEL_CHOICES]
        self.days.choices = day_choices()

    def validate_home(self, field):
        known = {value for group in self.place_groups.values() for value, _ in group}
        if not clean(field.data):
            raise ValidationError(_l("Choose the place where you live."))
        if field.data not in known:
            raise ValidationError(_l("We do not know this place. Choose a place from the list."))

    def validate_days(self, field):
        if any(day not in WEEKDAYS for day in field.data or []):
            raise ValidationError(_l("Choose days from the list."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not clean(self.email.data) and not clean(self.phone.data):
            self.email.errors = list(self.email.errors) + [_l("Give an e-mail address or a phone number, or both.")]
            ok = False
        return ok


class RotaChoiceForm(FlaskForm):
    method = RadioField(_l("Which of these is most like your work?"), validate_choice=False)

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = list(methods)
        self.method.validators = [choice([value for value, _ in methods], _l("Choose one of the rotas, or another way to tell us."))]


class UploadForm(FlaskForm):
    roster = FileField(_l("Your roster file (.ics)"))


class ConfirmForm(FlaskForm):
    consent = BooleanField(_l("I agree that nortime stores my details to find a course for me, as described on the privacy page."))
    nonce = HiddenField()
    # Only asked after joining with an employer's code; optional (issue 21).
    employer_consent = BooleanField(_l("My employer may see that I take part (my name and whether I have a place). "
                                       "You can change this later on your page."))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("You must agree before we can store your sign-up."))


class LostLinkForm(FlaskForm):
    contact = StringField(_l("Your e-mail address or phone number"))

    def validate_contact(self, field):
        text = clean(field.data)
        if not text:
            raise ValidationError(_l("Write the e-mail address or phone number you signed up with."))
        if len(text) > EMAIL_MAX:
            raise ValidationError(_l("This is too long. Use at most %(count)s characters.", count=EMAIL_MAX))


class ActionForm(FlaskForm):
    """A form with only its CSRF token: withdraw, delete, come back."""


class DeleteForm(FlaskForm):
    sure = BooleanField(_l("Yes, delete all my details now. I understand this cannot be undone."))

    def validate_sure(self, field):
        if not field.data:
            raise ValidationError(_l("Tick the box if you want to delete your details."))


