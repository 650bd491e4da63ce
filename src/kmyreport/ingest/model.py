"""The data the import steps hand on: cleaned lines, body blocks and what the recogniser found.

Depends on no other module of the import, so every step may use it. Authors and
the origin are the compiler's own models (`kmyreport.articles`), built with
`model_construct`, that is unchecked: the importer writes a draft for an editor,
and the compiler checks it when it loads the article, naming file and line (an
import never stops on a value the compiler would refuse).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..articles import Author, Origin

# The spaces the rules look for in a cleaned line: space, tab, ideographic space.
SPACES = " \t\u3000"


@dataclass
class RawLine:
    line: int  # 1-based line number in the file
    text: str  # cleaned


@dataclass
class Block:
    """One piece of the body: a paragraph, a `##` head or a photo."""

    kind: str
    text: str  # normalised text; the caption for photos
    line: int
    credit: str = ""
    credit_names: list[str] = field(default_factory=list)
    path: str = ""


@dataclass
class Recognised:
    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    bylines: list[str] = field(default_factory=list)
    authors_in_text: bool = False  # a byline inside a paragraph (电头 or 段末): printed there already
    authors: list[Author] = field(default_factory=list)
    origin: Origin | None = None
    editors: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
