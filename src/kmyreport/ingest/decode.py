"""Step 1: decode the raw bytes.

BOMs first, then strict UTF-8, BOM-less UTF-16, strict GB18030 (GBK files from
Windows), charset-normalizer as a last resort.
"""

from __future__ import annotations

from pathlib import Path

from ..cjk import is_han
from ..errors import KmyError

_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8（带 BOM）"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32LE（带 BOM）"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32BE（带 BOM）"),
    (b"\xff\xfe", "utf-16-le", "UTF-16LE（带 BOM）"),
    (b"\xfe\xff", "utf-16-be", "UTF-16BE（带 BOM）"),
]


def decode_bytes(data: bytes, path: Path) -> tuple[str, str, str]:
    """Return (text, codec name, label for the report) or raise KmyError."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.replace("-sig", "")), codec, label
            except UnicodeDecodeError as exc:
                raise _undecodable(path, f"it starts with a {label} byte-order mark but {exc.reason}") from None
    try:
        return data.decode("utf-8"), "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    codec = _bomless_utf16(data)
    if not codec and _binary(data):
        raise _undecodable(path, f"it is not text but {_binary(data)}")
    if codec:
        try:
            text = data.decode(codec)
            if _plausible(text):
                return text, codec, f"{codec.upper()}（无 BOM，按零字节分布判断）"
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
    raise _undecodable(path, "it is neither UTF-8, UTF-16 nor GB18030/GBK")


_MAGIC = [(b"\xff\xd8\xff", "a JPEG photo"), (b"\x89PNG", "a PNG image"), (b"%PDF", "a PDF"),
          (b"PK\x03\x04", "a zip archive (a .docx?)"), (b"\xd0\xcf\x11\xe0", "an Office document (.doc?)"),
          (b"GIF8", "a GIF image"), (b"OTTO", "a font"), (b"\x00\x01\x00\x00", "a font")]


def _binary(data: bytes) -> str:
    """What a binary file looks like ('a JPEG photo', 'binary data'), or '' for text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return "binary data" if b"\x00" in data[:4096] else ""


def _undecodable(path: Path, why: str) -> KmyError:
    return KmyError(
        f"cannot decode the text of this file ({why}); save it as UTF-8 and import again",
        file=path,
    )


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM shows NUL bytes in every other position for ASCII."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_zeros = data[0::2].count(0)
    odd_zeros = data[1::2].count(0)
    half = len(data) // 2
    if odd_zeros > half * 0.3 and even_zeros == 0:
        return "utf-16-le"
    if even_zeros > half * 0.3 and odd_zeros == 0:
        return "utf-16-be"
    return None


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
    return text, best.encoding, f"{best.encoding}（charset-normalizer 推测，请核对）"
