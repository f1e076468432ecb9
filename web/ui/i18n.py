"""The pages' languages: Brazilian Portuguese by default, English on request."""
from __future__ import annotations

from flask import request, session
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

LANGUAGES = {"pt_BR": "Português (Brasil)", "en": "English"}
DEFAULT_LANGUAGE = "pt_BR"


def chosen_language() -> str:
    """The visitor's chosen language, Brazilian Portuguese unless they picked another."""
    lang = session.get("lang") or request.cookies.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def page_gettext() -> dict:
    """For every page: its templates' gettext bound once to the request's catalogue (Flask-Babel's
    own looks the catalogue up again on each call: thousands of times on the owner's dashboard).
    It behaves as Jinja's newstyle gettext: the text is a format string, escaped on HTML pages."""
    translate = get_translations().ugettext

    @pass_context
    def gettext(context, text: str, **variables) -> str:
        translated = translate(text)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % variables
    return {"gettext": gettext}
