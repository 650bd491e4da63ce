"""The language of kmyreport's messages: English or simplified Chinese, from one catalogue.

The English text is the message id, written in the code inside `_()` (`ngettext()` where a count
decides the form, `N_()` to mark a text that is translated later, where it is used). Values go in
through `str.format` with named fields, so that a translation may put them in its own order:

    _("file not found: {path}; check the path").format(path=rel)

The Chinese translations are in `locale/zh_CN/LC_MESSAGES/kmyreport.po`, compiled to the `.mo`
beside it (`./dev messages` extracts, updates and compiles; both files are committed). At run time
only the standard library's `gettext` reads the `.mo`.

The language is chosen once, when this module is imported (the command line's help texts are
built as `kmyreport.cli` is imported): `--lang zh|en` on the command line, else the environment
variable `KMYREPORT_LANG`, else the locale (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`, in
gettext's order): `zh…` is Chinese, anything else English. `set_language()` changes it for what
is translated afterwards (the tests use it).
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

DOMAIN = "kmyreport"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
_CATALOGUE = {"zh": "zh_CN"}  # language → the catalogue under locale/ (English needs none)

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def normalize(value: str | None) -> str | None:
    """`zh`, `zh_CN.UTF-8`, `zh-Hans`, `en_US`, `C` … → "zh" or "en"; None for nothing usable."""
    if not value:
        return None
    value = value.strip().split(":")[0].lower()  # LANGUAGE may list several: the first decides
    if not value:
        return None
    if value.startswith("zh"):
        return "zh"
    return "en"


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: KMYREPORT_LANG, then the locale variables."""
    env = os.environ if environ is None else environ
    for name in ("KMYREPORT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalize(env.get(name))
        if found:
            return found
    return "en"


def from_arguments(argv: Sequence[str]) -> str | None:
    """The value of `--lang` among the options before the command (`--lang zh`, `--lang=zh`), if any."""
    for index, arg in enumerate(argv):
        if arg == "--" or not arg.startswith("-"):
            break  # the command: --lang belongs before it
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1].strip().lower() or None
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1].strip().lower() or None
    return None


def set_language(language: str | None) -> str:
    """Translate from now on into `language` ("zh" or "en"; a locale name such as zh_CN works too);
    returns the language chosen."""
    global _translation, _language
    chosen = language if language in LANGUAGES else normalize(language) or "en"
    catalogue = _CATALOGUE.get(chosen)
    _translation = (_gettext.translation(DOMAIN, LOCALE_DIR, languages=[catalogue], fallback=True)
                    if catalogue else _gettext.NullTranslations())
    _language = chosen
    return chosen


def language() -> str:
    """The language messages are translated into now: "zh" or "en"."""
    return _language


def _(message: str) -> str:
    """`message` (the English text) in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message that suits `count`, in the chosen language."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - gettext's usual name
    """Mark `message` for the catalogue without translating it here (it is translated where used)."""
    return message


def _initial() -> str:
    chosen = from_arguments(sys.argv[1:])
    return set_language(chosen if chosen in LANGUAGES else from_environment())


_initial()
