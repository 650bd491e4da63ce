"""The issue manifest (`sources/<issue-id>/issue.yaml`): schema, loading, validation.

Every error names `file:line:column`, the key and what to do. Unknown keys are
errors with a "did you mean". Paths inside the manifest are relative to it.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from .errors import KmyError, Problems, display_path
from .i18n import _
from .newspaper.model import NewsPage
from .yamlfile import Positions, StrictModel, located, read_model


class Publication(StrictModel):
    name: str = Field(min_length=1, description="Publication name printed in the masthead, e.g. 克拉玛依融媒")
    publisher: str | None = Field(None, description="Publishing body, e.g. 克拉玛依市融媒体中心")


class IssueInfo(StrictModel):
    number: int = Field(ge=1, description="Issue number, printed as 第N期")
    date: dt.date = Field(description="Issue date, YYYY-MM-DD")
    volume: str | None = Field(None, description="Running number, e.g. 总第128期")
    title: str | None = Field(None, description="Optional title of the issue, e.g. 专刊 name")
    id: str | None = Field(None, description="Issue id; default: the manifest's folder name")

    @field_validator("date", mode="before")
    @classmethod
    def _date_only(cls, value: object) -> object:
        if isinstance(value, dt.datetime):
            raise ValueError(_("give a date without a time, as YYYY-MM-DD"))
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(_("not a date; write it as YYYY-MM-DD, e.g. 2024-07-20")) from None
        return value


class Section(StrictModel):
    title: str | None = Field(None, description="Section title shown in the contents, e.g. 要闻")
    articles: list[str] = Field(min_length=1, description="Article sources, relative to the manifest")


class Manifest(StrictModel):
    publication: Publication
    issue: IssueInfo
    layout: str = Field("bulletin", min_length=1, description="Layout folder name under layouts/")
    editors: dict[str, str] = Field(default_factory=dict, description="Role → name, e.g. 主编: 李明")
    keywords: list[str] = Field(default_factory=list)
    tokens: dict[str, Any] = Field(default_factory=dict, description="The layout's design tokens to change "
                                   "for this issue, e.g. accent: \"#0b5394\"")
    sections: list[Section] = Field(default_factory=list)
    pages: list[NewsPage] = Field(default_factory=list, description="A newspaper's pages (版) with their "
                                  "stories on the layout's grid (see kmyreport.newspaper)")

    @model_validator(mode="after")
    def _sections_or_pages(self) -> Manifest:
        if not self.sections and not self.pages:
            raise ValueError(_("list the articles under 'sections' (a bulletin) or the pages under 'pages' "
                               "(a newspaper)"))
        return self


@dataclass
class LoadedManifest:
    """A validated manifest with where it came from and where each value sits."""

    path: Path
    model: Manifest
    positions: Positions

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def issue_id(self) -> str:
        return self.model.issue.id or self.path.resolve().parent.name

    def error_at(self, loc: tuple[str | int, ...], message: str) -> KmyError:
        """A `KmyError` pointing at the value `loc` of this manifest."""
        line, column = self.positions.of(loc)
        return KmyError(located(loc, message), self.path, line, column)

    def article_entries(self) -> list[tuple[tuple[str | int, ...], str]]:
        """`(loc, relative path)` for every article, in issue order."""
        return [(("sections", s_index, "articles", a_index), rel)
                for s_index, section in enumerate(self.model.sections)
                for a_index, rel in enumerate(section.articles)] + self._story_entries()

    def _story_entries(self) -> list[tuple[tuple[str | int, ...], str]]:
        """A newspaper's stories, each source once (a jump lists its source again where it lands)."""
        seen: dict[str, tuple[str | int, ...]] = {}
        for p_index, page in enumerate(self.model.pages):
            for s_index, story in enumerate(page.stories):
                seen.setdefault(os.path.normpath(story.source), ("pages", p_index, "stories", s_index, "source"))
        return [(loc, self.model.pages[loc[1]].stories[loc[3]].source) for loc in seen.values()]


@dataclass
class ManifestDraft:
    """A manifest as read, valid or not: what it holds, where each value sits, and its model when
    it validates. A broken manifest still lists its articles, so they are checked in the same run."""

    path: Path
    data: Any
    positions: Positions
    model: Manifest | None

    @property
    def folder(self) -> Path:
        return self.path.parent

    def error_at(self, loc: tuple[str | int, ...], message: str) -> KmyError:
        line, column = self.positions.of(loc)
        return KmyError(located(loc, message), self.path, line, column)

    def loaded(self) -> LoadedManifest | None:
        if self.model is None:
            return None
        return LoadedManifest(path=self.path, model=self.model, positions=self.positions)

    def article_entries(self) -> list[tuple[tuple[str | int, ...], str]]:
        """`(loc, relative path)` of every article the manifest lists, as far as it can be read."""
        loaded = self.loaded()
        if loaded is not None:
            return loaded.article_entries()
        data = self.data if isinstance(self.data, dict) else {}
        entries: list[tuple[tuple[str | int, ...], str]] = []
        for s_index, section in _items(data.get("sections")):
            for a_index, rel in _items(section.get("articles") if isinstance(section, dict) else None):
                if isinstance(rel, str) and rel.strip():
                    entries.append((("sections", s_index, "articles", a_index), rel))
        seen: set[str] = set()
        for p_index, page in _items(data.get("pages")):
            for s_index, story in _items(page.get("stories") if isinstance(page, dict) else None):
                rel = story.get("source") if isinstance(story, dict) else None
                if isinstance(rel, str) and rel.strip() and os.path.normpath(rel) not in seen:
                    seen.add(os.path.normpath(rel))
                    entries.append((("pages", p_index, "stories", s_index, "source"), rel))
        return entries


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def load_manifest(path: Path) -> LoadedManifest:
    """Read and validate `issue.yaml`; raise `KmyError` (`KmyErrors` for several) naming file, line and column."""
    problems = Problems()
    draft = read_manifest(path, problems)
    problems.check()
    assert draft is not None and draft.model is not None
    return LoadedManifest(path=draft.path, model=draft.model, positions=draft.positions)


def read_manifest(path: Path, problems: Problems) -> ManifestDraft | None:
    """Read `issue.yaml` and collect every problem it has into `problems`.

    None when there is no manifest to read, or it does not parse; otherwise the draft, whose
    `model` is None when the manifest does not validate."""
    path = Path(path)
    if path.is_dir() and (path / "issue.yaml").is_file():
        path = path / "issue.yaml"  # an issue folder stands for its manifest
    if not path.is_file():
        raise KmyError(_("manifest not found; give the path of an issue.yaml, e.g. "
                         "sources/2024-07/issue.yaml"), path)
    try:
        text = read_text(path)
    except KmyError as exc:
        problems.add(exc)
        return None
    model, data, positions, errors = read_model(text, path, Manifest, _("the manifest"),
                                                "publication, issue, sections, …")
    for error in errors:
        problems.add(error)
    if data is None:
        return None
    draft = ManifestDraft(path=path, data=data, positions=positions, model=model)
    seen: set[str] = set()
    for loc, rel in draft.article_entries():
        key = os.path.normpath(rel)
        if key in seen:
            problems.add(draft.error_at(loc, _("{path} is listed twice; an article appears once per issue").format(
                path=rel)))
        seen.add(key)
    return draft


def read_text(path: Path) -> str:
    """A UTF-8 source file as text (BOM and CRLF tolerated), or a clear error.

    A file in another encoding is refused with the encoding it appears to be in and the command
    that converts it: the sources are kept byte for byte (the archive edition embeds them), and
    every reader of them (the glyph check, `check`, the preview) reads UTF-8."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise encoding_error(path, raw, exc.start) from None
    if "\x00" in text and (guess_encoding(raw) or "").startswith("UTF-16"):  # ASCII in UTF-16 is valid UTF-8
        raise encoding_error(path, raw, 0)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def guess_encoding(raw: bytes) -> str | None:
    """The encoding a non-UTF-8 text file is most likely in, as iconv names it, or None.

    A byte-order mark says UTF-16 or UTF-32; ASCII characters with a zero byte beside each say
    UTF-16 without one; text that decodes as GB18030 without a control character is GBK/GB18030
    (what Chinese Windows editors save)."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if raw.startswith(bom):
            return name
    if len(raw) >= 4 and len(raw) % 2 == 0:
        even, odd = raw[0::2].count(0), raw[1::2].count(0)
        for name, high, low in (("UTF-16LE", odd, even), ("UTF-16BE", even, odd)):
            if high >= max(1, 2 * low) and _plausible(raw, name):
                return name
    return "GB18030" if _plausible(raw, "GB18030") else None


def _plausible(raw: bytes, encoding: str) -> bool:
    """`raw` decodes as `encoding` into text with line breaks, no control character and no private use."""
    try:
        text = raw.decode(encoding.lower())
    except UnicodeDecodeError:
        return False
    return "\n" in text and not any((ord(c) < 0x20 and c not in "\t\n\r") or 0xE000 <= ord(c) <= 0xF8FF
                                    for c in text)


def encoding_error(path: Path, raw: bytes, start: int) -> KmyError:
    """Why a source file is not read: not UTF-8, what it seems to be, and how to convert it
    (`start`: the first byte that is not UTF-8)."""
    encoding = guess_encoding(raw)
    line = 1 if (encoding or "").startswith("UTF-") else raw[:start].count(b"\n") + 1
    if encoding is None:
        return KmyError(_("not UTF-8 text; save the file as UTF-8 (in the editor: Save As, encoding UTF-8)"),
                        path, line)
    shown = shlex.quote(display_path(path))
    temporary = shlex.quote(display_path(path) + ".utf8")
    label = "GBK/GB18030" if encoding == "GB18030" else encoding
    return KmyError(_("not UTF-8 text: the file seems to be saved as {label}; save the file as UTF-8 (in the "
                      "editor: Save As, encoding UTF-8), or convert it with: {command}").format(
                          label=label, command=f"iconv -f {encoding} -t UTF-8 {shown} > {temporary} && mv "
                                               f"{temporary} {shown}"), path, line)


def source_date_epoch() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` as a (naive, UTC) datetime when it is set to a number, else None.

    Outputs take their dates from the manifest, or from this when a build pins them."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
