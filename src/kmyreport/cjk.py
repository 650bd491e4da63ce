"""The one table of Chinese (CJK) characters the project's text rules talk about.

Importing raw copy, normalising punctuation and justifying lines all ask the
same questions of a character: is it an ideograph, is it Chinese punctuation,
may a line open a gap after it. The ranges live here once; each question is a
small predicate over them.
"""

from __future__ import annotations

# Unified ideographs: Extension A, the URO, compatibility ideographs, and the supplementary planes
# (Extensions B onwards, where names such as 𠮷 live).
IDEOGRAPH_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
KANA_RANGE = (0x3040, 0x30FF)
HANGUL_RANGE = (0xAC00, 0xD7AF)
CJK_SYMBOLS_RANGE = (0x3001, 0x303F)       # 、。〃〈〉《》「」… (U+3000, the ideographic space, left out)
FULLWIDTH_FORMS_RANGE = (0xFF01, 0xFF60)   # ！＂＃ … ｠
IDEOGRAPHIC_ZERO = "\u3007"                # 〇

#: A regular-expression character class body matching exactly the ideographs: `[{IDEOGRAPH_CLASS}]`.
IDEOGRAPH_CLASS = "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in IDEOGRAPH_RANGES)

# Full-width punctuation as written in Chinese copy (spaces next to these are removed on import).
CHINESE_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕〖〗…—～﹏")
# Quotation marks and the middle dot are shared with Western text, but set full-width in Chinese.
SHARED_CJK_MARKS = frozenset("“”‘’·")
# Dash and ellipsis marks are drawn as joined pairs (—— ……): never pulled apart.
NEVER_SPLIT = frozenset("\u2014\u2026\u2e3a\u2e3b")


def _within(code: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= code <= bounds[1]


def is_ideograph(char: str) -> bool:
    """A CJK unified or compatibility ideograph, in any plane."""
    code = ord(char)
    return any(start <= code <= end for start, end in IDEOGRAPH_RANGES)


def is_han(char: str) -> bool:
    """An ideograph, or a character that behaves like one in running text (kana, hangul, 〇)."""
    code = ord(char)
    return (is_ideograph(char) or _within(code, KANA_RANGE) or _within(code, HANGUL_RANGE)
            or char == IDEOGRAPHIC_ZERO)


def is_cjk_punctuation(char: str) -> bool:
    """Full-width punctuation and symbols: the CJK symbols block and the punctuating full-width forms."""
    code = ord(char)
    return (
        char in CHINESE_PUNCTUATION
        or 0x3000 < code <= 0x303F
        or 0xFF01 <= code <= 0xFF0F
        or 0xFF1A <= code <= 0xFF20
        or 0xFF3B <= code <= 0xFF40
        or 0xFF5B <= code <= 0xFF65
    )


def is_chinese(char: str | None) -> bool:
    """Ideograph or Chinese punctuation: what makes a neighbourhood 'Chinese'."""
    return char is not None and (is_han(char) or is_cjk_punctuation(char))


#: A regular-expression character class body matching exactly the characters `is_justifiable` accepts.
JUSTIFIABLE_CLASS = (IDEOGRAPH_CLASS + "".join(f"\\u{start:04x}-\\u{end:04x}" for start, end in (
    CJK_SYMBOLS_RANGE, KANA_RANGE, HANGUL_RANGE, FULLWIDTH_FORMS_RANGE)) + "“”‘’·")


def is_justifiable(char: str) -> bool:
    """A character that justification may space apart from its neighbours: ideographs, kana,
    hangul, full-width punctuation and forms, and the shared quotation marks and middle dot;
    never the halves of a dash or an ellipsis."""
    if char in NEVER_SPLIT:
        return False
    code = ord(char)
    return (is_ideograph(char) or _within(code, CJK_SYMBOLS_RANGE) or _within(code, KANA_RANGE)
            or _within(code, HANGUL_RANGE) or _within(code, FULLWIDTH_FORMS_RANGE)
            or char in SHARED_CJK_MARKS)


# Punctuation classes for compression (GB/T 15834 marks as Simplified Chinese fonts draw them): an opening
# mark has its blank half on the left, a closing mark or a stop/pause mark on the right.
OPENING_PUNCTUATION = frozenset("“‘（《〈【「『〔〖［｛")
CLOSING_PUNCTUATION = frozenset("”’）》〉】」』〕〗］｝")
STOP_PUNCTUATION = frozenset("。，、；：？！")


def is_opening(char: str) -> bool:
    """An opening bracket or quotation mark: its blank half is before the mark."""
    return char in OPENING_PUNCTUATION


def is_closing(char: str) -> bool:
    """A closing bracket or quotation mark, or a stop or pause mark: its blank half is after the mark."""
    return char in CLOSING_PUNCTUATION or char in STOP_PUNCTUATION


def is_latin_alnum(char: str) -> bool:
    """A Latin letter or a European digit (what takes a quarter-em space beside Han characters)."""
    return char.isascii() and char.isalnum() or ("\u00c0" <= char <= "\u024f" and char.isalpha())
