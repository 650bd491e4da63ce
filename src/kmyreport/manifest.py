"""The issue manifest (`sources/<issue-id>/issue.yaml`): schema, loading, validation.

Every error names `file:line:column`, the key and what to do. Unknown keys are
errors with a "did you mean". Paths inside the manifest are relative to it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from .errors import KmyError
from .newspaper.model import NewsPage
from .yamlfile import Positions, StrictModel, format_loc, load_model


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
            raise ValueError("give a date without a time, as YYYY-MM-DD")
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("not a date; write it as YYYY-MM-DD, e.g. 2024-07-20") from None
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
            raise ValueError("list the articles under 'sections' (a bulletin) or the pages under 'pages' "
                             "(a newspaper)")
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
        return KmyError(f"{format_loc(loc)}: {message}", self.path, line, column)

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


def load_manifest(path: Path) -> LoadedManifest:
    """Read and validate `issue.yaml`; raise `KmyError` naming file, line and column."""
    path = Path(path)
    if path.is_dir() and (path / "issue.yaml").is_file():
        path = path / "issue.yaml"  # an issue folder stands for its manifest
    if not path.is_file():
        raise KmyError("manifest not found; give the path of an issue.yaml, e.g. "
                       "sources/2024-07/issue.yaml", path)
    model, positions = load_model(read_text(path), path, Manifest, "the manifest",
                                  "publication, issue, sections, …")
    loaded = LoadedManifest(path=path, model=model, positions=positions)
    seen: set[str] = set()
    for loc, rel in loaded.article_entries():
        key = os.path.normpath(rel)
        if key in seen:
            raise loaded.error_at(loc, f"{rel} is listed twice; an article appears once per issue")
        seen.add(key)
    return loaded


def read_text(path: Path) -> str:
    """A UTF-8 source file as text (BOM and CRLF tolerated), or a clear error."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KmyError("not UTF-8 text; save the file as UTF-8 (raw copy in other encodings goes "
                       "through `kmyreport import`)", path, line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def source_date_epoch() -> dt.datetime | None:
    """`SOURCE_DATE_EPOCH` as a (naive, UTC) datetime when it is set to a number, else None.

    Outputs take their dates from the manifest, or from this when a build pins them."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
