"""Step 1: decode the raw bytes.

BOMs first, then strict UTF-8 (without NULs), BOM-less UTF-16 (the byte order that decodes to
copy's characters), strict GB18030 (GBK files from Windows), charset-normalizer as a last resort.
"""

from __future__ import annotations

from pathlib import Path

from ..cjk import is_han
from ..errors import KmyError
from ..i18n import N_, _

_BOMS = [  # (byte-order mark, codec, the encoding's name in the report)
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32BE"),
    (b"\xff\xfe", "utf-16-le", "UTF-16LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16BE"),
]


def decode_bytes(data: bytes, path: Path) -> tuple[str, str, str]:
    """Return (text, codec name, label for the report) or raise KmyError."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            label = _("{encoding} (with BOM)").format(encoding=name)
            try:
                return data[len(bom) :].decode(codec.replace("-sig", "")), codec, label
            except UnicodeDecodeError as exc:
                raise KmyError(_("cannot decode the text of this file (it starts with a {encoding} byte-order mark but {reason}); save it as UTF-8 and import again").format(encoding=label, reason=exc.reason), path) from None
    try:
        text = data.decode("utf-8")
        if "\x00" not in text:  # ASCII in UTF-16 is valid UTF-8, with a NUL after every letter
            return text, "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    codec = _bomless_utf16(data)
    if not codec and _binary(data):
        raise KmyError(_("cannot decode the text of this file (it is not text but {what}); save it as UTF-8 "
                         "and import again").format(what=_binary(data)), path)
    if codec:
        try:
            text = data.decode(codec)
            if _plausible(text):
                return text, codec, _("{encoding} (no BOM; judged by its characters)").format(encoding=codec.upper())
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("gb18030")
        if _plausible(text):
            return text, "gb18030", "GB18030/GBK"
    except UnicodeDecodeError:
        pass
    guess = _charset_normalizer_guess(data)
    if guess:
        return guess
    raise KmyError(_("cannot decode the text of this file (it is neither UTF-8, UTF-16 nor GB18030/GBK); save it as UTF-8 and import again"), path)


_MAGIC = [(b"\xff\xd8\xff", N_("a JPEG photo")), (b"\x89PNG", N_("a PNG image")), (b"%PDF", N_("a PDF")),
          (b"PK\x03\x04", N_("a zip archive (a .docx?)")), (b"\xd0\xcf\x11\xe0", N_("an Office document (.doc?)")),
          (b"GIF8", N_("a GIF image")), (b"OTTO", N_("a font")), (b"\x00\x01\x00\x00", N_("a font"))]


def _binary(data: bytes) -> str:
    """What a binary file looks like ('a JPEG photo', 'binary data'), or '' for text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return _(what)
    return _("binary data") if b"\x00" in data[:4096] else ""


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: the byte order whose characters are (nearly) all what copy is made of.

    Chinese copy is mostly Han characters, which have no NUL byte in a fixed place (一 is
    U+4E00), so the zero bytes of its few ASCII characters cannot tell it; decoding can. Read the
    wrong way round, or from GBK bytes, the characters scatter over the whole of Unicode.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    best: tuple[float, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not _plausible(text):
            continue
        share = sum(map(_copy_character, text)) / len(text)
        if share >= 0.9 and (best is None or share > best[0]):
            best = (share, codec)
    return best[1] if best else None


def _copy_character(ch: str) -> bool:
    """A character news copy is made of: Han, ASCII, CJK and full-width punctuation, quotes and dashes."""
    code = ord(ch)
    return (is_han(ch) or 0x20 <= code < 0x7F or ch in "\t\n\r" or 0x3000 <= code <= 0x303F
            or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027 or code in (0x00B7, 0x2030, 0x203B))


def _plausible(text: str) -> bool:
    """No control characters (except line breaks and tabs), no private use, no U+FFFD."""
    for ch in text:
        code = ord(ch)
        if ch in "\t\n\r\f\v":
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F or 0xE000 <= code <= 0xF8FF or code == 0xFFFD:
            return False
    return True


def _charset_normalizer_guess(data: bytes) -> tuple[str, str, str] | None:
    """Ask charset-normalizer; accept only a clean result with Chinese text in it."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional helper
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    letters = [ch for ch in text if ch.isalpha()]
    han_share = sum(1 for ch in letters if is_han(ch)) / max(1, len(letters))
    if not _plausible(text) or han_share < 0.3:
        return None
    return text, best.encoding, _("{encoding} (charset-normalizer's guess; please check)").format(
        encoding=best.encoding)
