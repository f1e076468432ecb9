"""How the pages write dates, phones and placeholders: one helper each, in the page's language.

Brazilian Portuguese pages write dates as dd/mm/aaaa HH:MM (weekdays in Portuguese); English ones
keep year-month-day. Phones read as people write them ("+55 11 98765-4321")."""
from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

import phonenumbers
from babel.dates import format_date
from flask import has_request_context

from web.ui.i18n import DEFAULT_LANGUAGE, chosen_language
from zapfleet.tenancy.templates import PORTUGUESE_NAMES

DATE_FORMATS = {"pt_BR": "%d/%m/%Y", "en": "%Y-%m-%d"}
_BR_MOBILE = 9  # digits after the area code of a Brazilian mobile number


def language() -> str:
    """The page's language (the default outside a request)."""
    return chosen_language() if has_request_context() else DEFAULT_LANGUAGE


def date_format() -> str:
    """The strftime format of a date on this page."""
    return DATE_FORMATS.get(language(), DATE_FORMATS[DEFAULT_LANGUAGE])


def moment_format(seconds: bool = False) -> str:
    """The strftime format of a date and time on this page."""
    return date_format() + (" %H:%M:%S" if seconds else " %H:%M")


def moment_text(moment: datetime | None, zone: tzinfo, with_zone: bool = False,
                seconds: bool = False) -> str:
    """A moment as this page writes it, in a zone ("" for none); with_zone adds its abbreviation."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return local.strftime(moment_format(seconds) + (" %Z" if with_zone else ""))


def utc_text(moment: datetime | None, seconds: bool = False) -> str:
    """A moment in UTC as this page writes it, marked UTC (the platform's pages)."""
    return moment_text(moment, UTC, seconds=seconds) + " UTC" if moment else ""


def month_text(month: str) -> str:
    """A month ("2026-12") as this page writes it: 12/2026 in Portuguese, 2026-12 in English."""
    year, number = month.split("-")
    return month if language() == "en" else f"{number}/{year}"


def date_text(day: date | None) -> str:
    """A calendar day as this page writes it ("" for none)."""
    return day.strftime(date_format()) if day else ""


def weekday_name(day: date) -> str:
    """The day's weekday in the page's language, capitalised ("Sexta-feira", "Friday")."""
    name = format_date(day, "EEEE", locale=language())
    return name[:1].upper() + name[1:]


def day_title(day: date) -> str:
    """A day with its weekday: "Sexta-feira, 04/12/2026"."""
    return f"{weekday_name(day)}, {date_text(day)}"


def phone_label(phone: str | None) -> str:
    """E.164 digits as people write them ("+55 11 98765-4321"); "" for none."""
    if not phone:
        return ""
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    try:
        number = phonenumbers.parse(f"+{digits}")
    except phonenumbers.NumberParseException:
        return f"+{digits}"
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    country = number.country_code or 0
    return _grouped(country, digits[len(str(country)):] if country else digits)


def _grouped(country: int, national: str) -> str:
    """A number no plan knows (a sandbox's), grouped as its country writes them where possible."""
    if country == 55 and len(national) in (_BR_MOBILE + 2, _BR_MOBILE + 1):
        area, rest = national[:2], national[2:]
        return f"+55 {area} {rest[:-4]}-{rest[-4:]}"
    return f"+{country} {national}" if country else f"+{national}"


def placeholder(name: str) -> str:
    """A placeholder as this page documents it: {nome} on Portuguese pages, {name} on English."""
    shown = PORTUGUESE_NAMES.get(name, name) if language() == "pt_BR" else name
    return "{" + shown + "}"


def format_helpers() -> dict:
    """The template globals and filters of this module."""
    return {"phone_label": phone_label, "day_title": day_title, "date_text": date_text,
            "utc_text": utc_text, "placeholder": placeholder}
