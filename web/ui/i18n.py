"""The pages' languages: Brazilian Portuguese by default, English on request."""
from __future__ import annotations

from flask import request, session

LANGUAGES = {"pt_BR": "Português (Brasil)", "en": "English"}
DEFAULT_LANGUAGE = "pt_BR"


def chosen_language() -> str:
    """The visitor's chosen language, Brazilian Portuguese unless they picked another."""
    lang = session.get("lang") or request.cookies.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
