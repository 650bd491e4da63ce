"""Article sources: Markdown (CommonMark, raw HTML off) with YAML front matter → `Article`.

Front matter keys: `title`, `kicker` (引题), `subtitle` (副题), `authors`
(`{name, role, org}`), `byline` (printed as given), `origin`
(`{publication, date, page}`) and `editors` (role → name). Photos are Markdown
images where they sit in the text: `![caption](photos/x.jpg "credit")`, with
paths relative to the issue folder. `##` headings are section heads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import Field, field_validator

from .errors import KmyError, Problems
from .i18n import _
from .manifest import read_text
from .suggest import best_guess
from .workspace import Workspace
from .yamlfile import StrictModel, control_character_error, read_model


class Author(StrictModel):
    name: str = Field(min_length=1)
    role: str | None = Field(None, description="e.g. 通讯员, 记者")
    org: str | None = Field(None, description="e.g. 克拉玛依融媒")


class Origin(StrictModel):
    publication: str = Field(min_length=1, description="Where the piece first ran, e.g. 新疆日报")
    date: dt.date | None = None
    page: str | int | None = Field(None, description="e.g. 第5版")


class FrontMatter(StrictModel):
    title: str = Field(description="The headline")
    kicker: str | None = None
    subtitle: str | None = None
    authors: list[Author] = Field(default_factory=list)
    byline: str | Literal[False] | None = Field(
        None, description="Printed as given; false: print none (the copy carries its byline in the text)")
    origin: Origin | None = None
    editors: dict[str, str] = Field(default_factory=dict)

    @field_validator("title")
    @classmethod
    def _title_given(cls, value: str) -> str:
        if not value:
            raise ValueError(_("title is empty; write the headline after 'title: '"))
        return value


@dataclass
class PhotoRef:
    """A photo as placed in an article's text."""

    source: Path          # the image file, resolved inside the issue folder
    target: str           # as written in the Markdown
    caption: str
    credit: str | None
    line: int             # line in the article file


@dataclass
class Article:
    path: Path
    front: FrontMatter
    tokens: list[Token]
    photos: list[PhotoRef] = field(default_factory=list)
    anchor: str = ""

    @property
    def byline(self) -> str:
        """The byline as printed: given verbatim, or built from the authors."""
        if self.front.byline is False:
            return ""
        if self.front.byline:
            return self.front.byline
        return build_byline(self.front.authors)


#: The CommonMark parser of article bodies (raw HTML off). It lets every destination through so
#: that a photo at file:///… is reported, not silently printed as text; `present` drops the
#: href of links with schemes other than http, https and mailto.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
MARKDOWN.validateLink = lambda url: True
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_FRONT_FENCE = re.compile(r"^---[ \t]*$")


def build_byline(authors: list[Author]) -> str:
    """`克拉玛依融媒通讯员 张纪东 许涛`: organisation once, then each role with its names."""
    groups: list[tuple[str, list[tuple[str, list[str]]]]] = []
    for author in authors:
        org, role = author.org or "", author.role or ""
        if not groups or groups[-1][0] != org:
            groups.append((org, []))
        roles = groups[-1][1]
        if not roles or roles[-1][0] != role:
            roles.append((role, []))
        roles[-1][1].append(author.name)
    parts = []
    for org, roles in groups:
        pieces = [f"{role} {' '.join(names)}".strip() for role, names in roles]
        parts.append(org + " ".join(pieces))
    return "　".join(parts)


def load_article(path: Path, issue_folder: Path, workspace: Workspace) -> Article:
    """Read one article source; raise `KmyError` (`KmyErrors` for several) at the offending lines."""
    problems = Problems()
    article = read_article(path, issue_folder, workspace, problems)
    problems.check()
    assert article is not None
    return article


def read_article(path: Path, issue_folder: Path, workspace: Workspace, problems: Problems) -> Article | None:
    """Read one article source, collecting every problem in it (front matter, photos) into `problems`;
    None when it has any."""
    before = len(problems.errors) + problems.more
    try:
        text = read_text(path)
        control = control_character_error(text, path)
        if control is not None:  # NUL, ESC, …: never printed, often the sign of a bad paste
            raise control
        front_text, front_first_line, body, body_first_line = split_front_matter(text, path)
    except KmyError as exc:
        problems.add(exc)
        return None
    front, _data, _positions, errors = read_model(front_text, path, FrontMatter, _("the front matter"),
                                                  "title, authors, editors, …", first_line=front_first_line)
    for error in errors:
        problems.add(error)
    tokens = MARKDOWN.parse(body)
    _shift_lines(tokens, body_first_line - 1)
    article = Article(path=path, front=front or FrontMatter.model_construct(title=""), tokens=tokens)
    article.photos = _collect_photos(article, body, body_first_line, issue_folder, workspace, problems)
    if len(problems.errors) + problems.more > before or front is None:
        return None
    return article


def split_front_matter(text: str, path: Path) -> tuple[str, int, str, int]:
    """`(front matter, its first line, body, the body's first line)` of an article source."""
    lines = text.split("\n")
    if not lines or not _FRONT_FENCE.match(lines[0]):
        raise KmyError(_("an article must start with front matter: a line '---', then title: … "
                         "and the other keys, then '---'"), path, 1, 1)
    for index in range(1, len(lines)):
        if _FRONT_FENCE.match(lines[index]) or lines[index].rstrip() == "...":
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2
    raise KmyError(_("front matter is not closed; add a line '---' after the last key"), path, 1, 1)


def _shift_lines(tokens: list[Token], offset: int) -> None:
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + offset, token.map[1] + offset]


def _collect_photos(article: Article, body: str, body_first_line: int, issue_folder: Path,
                    workspace: Workspace, problems: Problems) -> list[PhotoRef]:
    body_lines = body.split("\n")
    photos: list[PhotoRef] = []
    for block in article.tokens:
        if block.type != "inline" or not block.children:
            continue
        for child in block.children:
            if child.type != "image":
                continue
            target = str(child.attrs.get("src", ""))
            line = _line_of(target, block, body_lines, body_first_line)
            written = body_lines[line - body_first_line] if 0 <= line - body_first_line < len(body_lines) else ""
            column = written.find(target) + 1 if target and target in written else None
            try:
                source = resolve_photo_path(target, article.path, line, issue_folder, workspace, column)
            except KmyError as exc:
                problems.add(exc)
                continue
            caption = "".join(t.content for t in (child.children or []) if t.type in ("text", "code_inline"))
            credit = child.attrs.get("title")
            photo = PhotoRef(source=source, target=target, caption=caption.strip(),
                             credit=str(credit).strip() if credit else None, line=line)
            child.meta["photo"] = photo
            photos.append(photo)
    return photos


def _line_of(target: str, block: Token, body_lines: list[str], body_first_line: int) -> int:
    """The file line of an image inside a paragraph (the paragraph's first line if not found)."""
    start, end = block.map or (body_first_line, body_first_line)
    for file_line in range(start, end):
        index = file_line - body_first_line
        if 0 <= index < len(body_lines) and target in body_lines[index]:
            return file_line + 1
    return start + 1


def resolve_photo_path(target: str, article_path: Path, line: int, issue_folder: Path,
                       workspace: Workspace, column: int | None = None) -> Path:
    """The file a photo reference points to, which must be inside the issue folder's workspace."""
    if URL_SCHEME.match(target) and not re.match(r"^[A-Za-z]:[\\/]", target):
        scheme = urlsplit(target).scheme.lower()
        if scheme in ("http", "https", "ftp"):
            raise KmyError(_("photo '{target}' is a web address; compiling never uses the network: download "
                             "the photo into the issue's photos/ folder and refer to it as "
                             "photos/<name>").format(target=target), article_path, line)
        raise KmyError(_("photo '{target}' is not a file in the issue folder; refer to photos by a relative path "
                         "such as photos/<name>.jpg").format(target=target), article_path, line)
    if target.startswith("/") or target.startswith("\\"):
        raise KmyError(_("photo '{target}' is an absolute path; refer to photos relative to the issue folder, "
                         "e.g. photos/<name>.jpg").format(target=target), article_path, line)
    source = (issue_folder / unquote(target)).resolve()
    if not workspace.contains(source):
        raise KmyError(_("photo '{target}' lies outside the workspace; copy it into the issue's photos/ "
                         "folder").format(target=target), article_path, line)
    if not source.is_file():
        raise KmyError(_photo_not_found(target, source, issue_folder, workspace), article_path, line, column)
    return source


def _photo_not_found(target: str, source: Path, issue_folder: Path, workspace: Workspace) -> str:
    """The message for a photo that is not there, with the name that probably was meant."""
    looked = source.relative_to(workspace.root)
    guess = best_guess(source, issue_folder.resolve(), workspace)
    if guess and guess[0] == "close":
        return _("photo not found: {target} (looked for {looked}); did you mean '{guess}'?").format(
            target=target, looked=looked, guess=guess[1])
    if guess:
        return _("photo not found: {target} (looked for {looked}); a photo of that name is elsewhere in the "
                 "workspace: write '{guess}' (relative to the issue folder) instead of '{target}', or copy the "
                 "photo into photos/").format(target=target, looked=looked, guess=guess[1])
    return _("photo not found: {target} (looked for {looked}); check the file name or add the photo").format(
        target=target, looked=looked)
