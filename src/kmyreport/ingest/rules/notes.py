"""Editor's notes: `【编者按】…` before the story and `编后：…` after it, kept as a block of their own.

A note with its text on the same line is one block. A label on a line of its own
(`编者按`, `编后`) opens a note: 编者按 takes the paragraph that follows, 编后 every
paragraph up to the end matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import SPACES

NOTE_LABELS = ["编者按", "编者的话", "编后语", "编后记", "编后"]
NOTE_RE = re.compile(
    rf"^(?P<label>[【\[〔（(]?(?P<name>{'|'.join(NOTE_LABELS)})[】\]〕）)]?)[{SPACES}:：]*(?P<text>.*)$"
)


@dataclass
class Note:
    name: str  # 编者按, 编后 …
    text: str  # what follows the label on the line ('' when the label stands alone)

    @property
    def after_the_story(self) -> bool:
        return self.name.startswith("编后")


def parse_note(text: str) -> Note | None:
    """`【编者按】…`, `编者按：…`, `编后` → the note; None for any other line."""
    match = NOTE_RE.match(text)
    if not match:
        return None
    label, rest = match.group("label"), match.group("text")
    bracketed = label != match.group("name")
    if rest and not bracketed and not re.match(rf"^{match.group('name')}[{SPACES}]*[:：]", text):
        return None  # `编后的工作…`: running text that happens to start with the word
    return Note(match.group("name"), rest)
