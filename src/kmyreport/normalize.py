"""Punctuation normalisation for Chinese news copy, with every change recorded.

Correspondents type on keyboards that default to half-width punctuation, so
raw copy mixes `,` `:` `(` `)` and straight quotes into Chinese sentences.
`normalize_text` fixes one line at a time and returns the new text together
with a list of `Change` records (line, column, before → after, rule) so that
the import report can show the editor exactly what was touched.

What is changed, only in Chinese context (a CJK character next to it):

* `, ; : ! ?` → `，；：！？` (never between two digits: 1,000 and 10:30 stay);
* `(` `)` pairs → `（）` when the content or the surroundings are Chinese;
* straight quotes `"…"` `'…'` → “…” ‘…’ when the quoted text or its
  surroundings are Chinese;
* a full stop `.` after a Chinese character, before another one or at the
  end of the line → `。` (3.5, www.example.com and A.B stay);
* `...` (three or more dots), `。。。` and a lone `…` → `……`;
* `--` (two or more hyphens) → `——`;
* `・` `•` `‧` between two Chinese characters (names) → the middle dot `·`;
* spaces next to Chinese punctuation are removed; a space between two
  Chinese characters separates two phrases and is kept as one U+3000.

Mixed copy: `,` `;` between Latin/digit runs set in Chinese (`引入AI,5G等`) is
Chinese; a `.` after a number, `%` or a link ends a Chinese sentence at the end
of the line (`增长12.5%.`, `发邮件至a@b.cn.`) but `1.加强领导` stays.

URLs (runs of ASCII, trailing `.` `,` `)` excluded) and e-mail addresses are never touched, nor are Latin words, numbers,
times and dates (their punctuation has no CJK neighbour or sits between
digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cjk import CHINESE_PUNCTUATION, is_chinese, is_han

IDEOGRAPHIC_SPACE = "\u3000"
MIDDLE_DOT = "\u00b7"

HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
NAME_DOTS = "・•‧"  # U+30FB, U+2022, U+2027: written for the middle dot U+00B7
SPACE_CHARS = " \t" + IDEOGRAPHIC_SPACE

RULE_LABELS = {
    "fullwidth": "半角标点改全角",
    "full-stop": "半角句点改为句号",
    "parens": "成对括号改全角",
    "quotes": "直引号改弯引号",
    "ellipsis": "省略号规范为“……”",
    "dash": "破折号规范为“——”",
    "name-dot": "人名间隔号规范为“·”",
    "space-punct": "删除中文标点旁的空格",
    "space-phrase": "词组间空格改为全角空格（保留停顿）",
    # Recorded by the importer when structure takes punctuation away:
    "credit-brackets": "去掉图片署名外的括号",
    "subtitle-dash": "去掉副题前的破折号",
    "head-marker": "去掉小标题的项目符号或加粗记号",
    "byline-brackets": "去掉署名外的括号",
    "house-source": "删去本台来源说明",
    "end-mark": "删去文末结束标记",
}

# URLs are runs of printable ASCII; a trailing `.` `,` `)` … belongs to the sentence, not the URL.
_URL_END = r"[A-Za-z0-9/#=&_~%+-]"
_PROTECTED = re.compile(
    rf"(?:https?|ftp)://[!-~]*{_URL_END}"
    rf"|www\.[!-~]*{_URL_END}"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
)
# Characters that may end a number or a measure before a sentence-final full stop.
_NUMBER_END = set("0123456789%‰℃")
_LATIN_RUN = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%.+-")


@dataclass(frozen=True)
class Change:
    """One normalisation: `before` at `column` of `line` became `after`."""

    line: int
    column: int  # 1-based, in the line as read (after whitespace cleaning)
    before: str
    after: str
    rule: str
    excerpt: str = ""  # a few characters around the change, as they were

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)


def contains_chinese(text: str) -> bool:
    return any(is_chinese(ch) for ch in text)


@dataclass
class _Edit:
    start: int
    end: int
    replacement: str
    rule: str


class _LineNormalizer:
    """Collects non-overlapping edits on one line, then applies them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.edits: dict[int, _Edit] = {}
        self.protected = [False] * len(text)
        for match in _PROTECTED.finditer(text):
            for i in range(match.start(), match.end()):
                self.protected[i] = True

    # -- neighbourhood -----------------------------------------------------
    def left(self, index: int) -> str | None:
        """Nearest non-space character before `index`, as it will be."""
        i = index - 1
        while i >= 0 and self.text[i] in SPACE_CHARS:
            i -= 1
        return self.effective(i) if i >= 0 else None

    def right(self, index: int) -> str | None:
        """Nearest non-space character after `index`, as it will be."""
        i = index + 1
        while i < len(self.text) and self.text[i] in SPACE_CHARS:
            i += 1
        return self.effective(i) if i < len(self.text) else None

    def effective(self, index: int) -> str:
        """The character at `index` after the edits decided so far."""
        for edit in self.edits.values():
            if edit.start <= index < edit.end and edit.replacement:
                return edit.replacement[0] if index == edit.start else edit.replacement[-1]
        return self.text[index]

    def chinese_near(self, start: int, end: int) -> bool:
        return is_chinese(self.left(start)) or is_chinese(self.right(end - 1))

    def chinese_before(self, index: int) -> bool:
        """Chinese on the left, looking through a half-width mark that will turn full-width (`说:"`)."""
        i = index - 1
        while i >= 0 and self.text[i] in SPACE_CHARS:
            i -= 1
        if i < 0:
            return False
        if self.text[i] in HALF_TO_FULL:
            return is_chinese(self.left(i))
        return is_chinese(self.effective(i))

    def latin_run_between_chinese(self, index: int) -> bool:
        """`引入AI,5G等`, `使用5G,效果好`: the mark ends a Latin/digit run embedded in Chinese, and
        Chinese (or another such run) follows it."""
        before = self.text[index - 1 : index]
        if before not in _LATIN_RUN:
            return False
        i = index - 1
        while i >= 0 and self.text[i] in _LATIN_RUN:
            i -= 1
        j = index + 1
        while j < len(self.text) and self.text[j] in _LATIN_RUN:
            j += 1
        return i >= 0 and j < len(self.text) and is_chinese(self.text[i]) and is_chinese(self.text[j])

    def clause_has_han(self, index: int) -> bool:
        """The sentence that ends at `index` contains a Chinese character."""
        start = max(self.text.rfind(mark, 0, index) for mark in "。！？!?")
        return any(is_han(ch) for ch in self.text[start + 1 : index])

    def free(self, start: int, end: int) -> bool:
        return not any(self.protected[start:end]) and not any(
            edit.start < end and start < edit.end for edit in self.edits.values()
        )

    def add(self, start: int, end: int, replacement: str, rule: str) -> None:
        if self.text[start:end] != replacement and self.free(start, end):
            self.edits[start] = _Edit(start, end, replacement, rule)

    # -- rules ---------------------------------------------------------------
    def ellipses(self) -> None:
        for match in re.finditer(r"\.{3,}|。{3,}|(?<!…)…(?!…)", self.text):
            start, end = match.start(), match.end()
            if match.group().startswith("。") or self.chinese_near(start, end):
                self.add(start, end, "……", "ellipsis")

    def dashes(self) -> None:
        for match in re.finditer(r"-{2,}|(?<!—)—(?!—)|―+", self.text):
            start, end = match.start(), match.end()
            if self.chinese_near(start, end):
                self.add(start, end, "——", "dash")

    def name_dots(self) -> None:
        for i, ch in enumerate(self.text):
            if ch in NAME_DOTS and 0 < i < len(self.text) - 1:
                if is_han(self.text[i - 1]) and is_han(self.text[i + 1]):
                    self.add(i, i + 1, MIDDLE_DOT, "name-dot")

    def parentheses(self) -> None:
        openers: list[int] = []
        for i, ch in enumerate(self.text):
            if ch in "(（":
                openers.append(i)
            elif ch in ")）" and openers:
                self._convert_pair(openers.pop(), i)

    def _convert_pair(self, open_at: int, close_at: int) -> None:
        opener, closer = self.text[open_at], self.text[close_at]
        if opener == "（" and closer == "）":
            return
        inner = self.text[open_at + 1 : close_at]
        before = self.text[open_at - 1] if open_at > 0 else ""
        attached_to_latin = before.isascii() and before.isalnum()  # f(x), A(1)
        chinese = (
            contains_chinese(inner)
            or is_chinese(self.left(open_at))
            or (is_chinese(self.right(close_at)) and not attached_to_latin)
            or opener == "（"
            or closer == "）"
        )
        if chinese and self.free(open_at, open_at + 1) and self.free(close_at, close_at + 1):
            self.add(open_at, open_at + 1, "（", "parens")
            self.add(close_at, close_at + 1, "）", "parens")

    def quotes(self) -> None:
        self._pair_quotes('"', "“", "”", lambda i: True)
        # An apostrophe between two Latin letters (don't) is not a quote.
        self._pair_quotes(
            "'",
            "‘",
            "’",
            lambda i: not (
                0 < i < len(self.text) - 1
                and self.text[i - 1].isascii()
                and self.text[i - 1].isalpha()
                and self.text[i + 1].isascii()
                and self.text[i + 1].isalpha()
            ),
        )

    def _pair_quotes(self, straight: str, opening: str, closing: str, is_quote) -> None:
        marks = [
            i for i, ch in enumerate(self.text) if ch == straight and not self.protected[i] and is_quote(i)
        ]
        for open_at, close_at in zip(marks[0::2], marks[1::2]):
            inner = self.text[open_at + 1 : close_at]
            if (contains_chinese(inner) or self.chinese_near(open_at, close_at + 1)
                    or self.chinese_before(open_at)):
                self.add(open_at, open_at + 1, opening, "quotes")
                self.add(close_at, close_at + 1, closing, "quotes")

    def half_width_marks(self) -> None:
        for i, ch in enumerate(self.text):
            if ch not in HALF_TO_FULL:
                continue
            before = self.text[i - 1] if i > 0 else ""
            after = self.text[i + 1] if i + 1 < len(self.text) else ""
            if ch in ",:" and before.isdigit() and after.isdigit():
                continue  # 1,000 and 10:30
            left, right = self.left(i), self.right(i)
            after_link = i > 0 and self.protected[i - 1]  # `访问https://x.cn/a,了解`
            left_is_latin = left is not None and left.isascii() and left.isalpha() and not after_link
            embedded = ch in ",;" and self.latin_run_between_chinese(i)
            if is_chinese(left) or (is_chinese(right) and not left_is_latin) or embedded:
                self.add(i, i + 1, HALF_TO_FULL[ch], "fullwidth")

    def full_stops(self) -> None:
        for i, ch in enumerate(self.text):
            if ch != "." or self.protected[i]:
                continue
            if self.text[i - 1:i] == "." or self.text[i + 1:i + 2] == ".":
                continue  # part of an ellipsis
            left, right = self.left(i), self.right(i)
            ends_sentence = right is None or is_han(right) or right in "“‘（《"
            if left is not None and (is_han(left) or left in "”’）》") and ends_sentence:
                self.add(i, i + 1, "。", "full-stop")
            elif self.ends_chinese_sentence_after_number_or_link(i, right):
                self.add(i, i + 1, "。", "full-stop")

    def ends_chinese_sentence_after_number_or_link(self, i: int, right: str | None) -> bool:
        """`增长12.5%.` `时间为10:30.` `发邮件至a@b.cn.`: a Chinese sentence ends there.

        A digit before the stop counts only at the end of the line (`1.加强领导` is a list
        number); a percent sign or a URL/e-mail end also before a Chinese character.
        """
        before = self.text[i - 1] if i > 0 else ""
        after_link = i > 0 and self.protected[i - 1]
        if before.isdigit() and not after_link:
            return right is None and self.clause_has_han(i)
        if before in _NUMBER_END or after_link:
            return (right is None and self.clause_has_han(i)) or (right is not None and is_han(right))
        return False

    def spaces(self) -> None:
        for match in re.finditer(f"[{SPACE_CHARS}]+", self.text):
            start, end = match.start(), match.end()
            if start == 0 or end == len(self.text) or not self.free(start, end):
                continue
            left, right = self.effective(start - 1), self.effective(end)
            if left in CHINESE_PUNCTUATION or right in CHINESE_PUNCTUATION:
                self.add(start, end, "", "space-punct")
            elif is_han(left) and is_han(right):
                self.add(start, end, IDEOGRAPHIC_SPACE, "space-phrase")

    # -- result ------------------------------------------------------------
    def apply(self, line: int, column_offset: int) -> tuple[str, list[Change]]:
        pieces: list[str] = []
        changes: list[Change] = []
        cursor = 0
        for start in sorted(self.edits):
            edit = self.edits[start]
            pieces.append(self.text[cursor:start])
            pieces.append(edit.replacement)
            cursor = edit.end
            changes.append(
                Change(
                    line=line,
                    column=column_offset + start + 1,
                    before=self.text[start : edit.end],
                    after=edit.replacement,
                    rule=edit.rule,
                    excerpt=self.text[max(0, start - 6) : edit.end + 6],
                )
            )
        pieces.append(self.text[cursor:])
        return "".join(pieces), changes


def normalize_text(text: str, line: int = 0, column_offset: int = 0) -> tuple[str, list[Change]]:
    """Normalise the punctuation of one line of Chinese copy.

    Returns the new text and the changes made, each with `line` and a column
    counted from `column_offset` (so a caption cut out of a longer line
    reports columns of the whole line).
    """
    normalizer = _LineNormalizer(text)
    normalizer.name_dots()
    normalizer.quotes()
    normalizer.parentheses()
    normalizer.ellipses()
    normalizer.dashes()
    normalizer.half_width_marks()
    normalizer.full_stops()
    normalizer.spaces()
    return normalizer.apply(line, column_offset)
