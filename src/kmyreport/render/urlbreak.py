"""Where a URL in running text may break across lines.

A URL has no spaces, so a line breaker would leave it whole, and the line before
it ragged or spaced out. Following common practice (the Chicago Manual's rules for
URLs), a URL may break after a slash or a double slash, before a dot, comma,
hyphen, underscore, tilde, question mark, number sign or percent sign, and before
or after an equals sign or an ampersand; never after a hyphen, never inside the
scheme, never so that a piece of one character is left. Nothing visible marks the
break.

`break_urls` puts a zero-width space (U+200B) at each such point of the text of the
HTML (`present.body_html`, where the layout's token `url_breaks` is `safe`, the
default), and a word joiner (U+2060) after a hyphen or a question mark, where Pango
would break by itself. Pango draws both as no glyph, so the text copied out of the
PDF is the source text.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
WJ = "\u2060"  # word joiner: no break here (Pango would break after a hyphen or a question mark)

#: A URL in running text: a scheme or www., up to a space, a Chinese character or full-width punctuation,
#: or a sentence's closing punctuation.
URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"'\u2018-\u201f\u2e80-\uffff]+"
                 r"(?<![.,;:!?)\]])")
_BREAK = re.compile(r"(?<=[^/:]/)(?=[^/])|(?<=//)(?=[^/])|(?=[.,\-_~?#%=&])|(?<=[=&])")


_MIN_PIECE = 2  # characters
_NO_BREAK_AFTER = re.compile(r"(?<=[-?!])(?=[^\u200b])")


def break_urls(text: str) -> str:
    """`text` with a zero-width space at each safe break point of each URL in it."""
    if "://" not in text and "www." not in text:
        return text
    return URL.sub(_break_url, text)


def _break_url(match: re.Match[str]) -> str:
    url = match.group()
    scheme = url.find("://") + 3 if "://" in url else 0
    points = sorted({point.start() for point in _BREAK.finditer(url, scheme)
                     if point.start() > scheme and url[point.start() - 1] != "-"})
    pieces, last = [], 0
    for point in points:
        if point - last >= _MIN_PIECE and len(url) - point >= _MIN_PIECE:
            pieces.append(url[last:point])
            last = point
    pieces.append(url[last:])
    return _NO_BREAK_AFTER.sub(WJ, ZWSP.join(pieces))
