"""Listing a new article in its issue's manifest: the line to add, and adding it (`import --add`).

The manifest is edited as text, never dumped again from its data, so that its comments, its
order and its layout stay as the editor wrote them: the new entry goes after the last item of
the last section's `articles:` (a block list gets a line with the same indentation, a flow
list `[a.md, b.md]` one more item). A newspaper's stories need a page and an area on the grid,
which kmyreport cannot choose, so for a newspaper it only says what to add.

Every sentence the user sees is made here (`Listing.hint`, `ListingError`), so that it can be
translated in one place.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import KmyError, display_path
from .files import write_bytes_atomic
from .i18n import N_, _
from .ingest.photos import issue_folder_of

SECTION_HINT = N_("add to {manifest} under a section's articles:   - {entry}")
STORY_HINT = N_("add to {manifest} under a page's stories (a newspaper: choose the page and the area):   "
              "- {{source: {entry}, area: {{col: 1, cols: 3, row: 1, rows: 5}}}}")
LISTED = N_("already listed in {manifest}")
ADDED = N_("added {entry} to the articles of the last section of {manifest} (line {line})")
NO_MANIFEST = N_("no issue manifest at {manifest}: the article is not in an issue yet; create the issue "
               "(kmyreport new issue ID) or write the manifest, and list it under a section's articles as "
               "- {entry}")
NEWSPAPER = N_("{manifest} is a newspaper: a story needs its page and its area on the grid, which only an "
             "editor can choose; add it by hand under a page's stories: - {{source: {entry}, area: …}}")
NO_SECTIONS = N_("{manifest} has no section with articles to add to; add one by hand: "
               "sections: [{{title: …, articles: [{entry}]}}]")
NOT_SAFE = N_("{manifest} is written in a way kmyreport cannot add to safely; nothing was changed: add "
            "- {entry} under a section's articles by hand")
ADD_TIP = N_("   (--add does it)")
ADD_NEEDS_OUTPUT = N_("--add needs -o sources/<id>/articles/NAME.md: the article is listed in the issue it is "
                    "written into")
UNREADABLE = N_("{manifest} cannot be read as YAML here ({problem}); fix it (kmyreport check shows where) and add - {entry} by hand")


@dataclass
class Listing:
    """Where an article belongs: its issue's manifest (which may not exist) and the entry for it."""

    manifest: Path
    entry: str             # the article's path relative to the manifest, e.g. articles/x.md
    exists: bool           # the manifest is there
    newspaper: bool = False
    listed: bool = False   # the manifest lists the article already

    def hint(self, *, suggest_add: bool = False) -> str:
        """The one line that tells the editor what to add where (or that nothing is to be added);
        `suggest_add`: and that `--add` would do it."""
        where = display_path(self.manifest)
        if not self.exists:
            return _(NO_MANIFEST).format(manifest=where, entry=self.entry)
        if self.listed:
            return _(LISTED).format(manifest=where)
        if self.newspaper:
            return _(STORY_HINT).format(manifest=where, entry=_yaml_scalar(self.entry))
        return _(SECTION_HINT).format(manifest=where, entry=_yaml_scalar(self.entry)) + (_(ADD_TIP) if suggest_add else "")


def listing_for(article: Path) -> Listing:
    """The manifest of the issue an article source lies in (`sources/<id>/articles/x.md` →
    `sources/<id>/issue.yaml`) and the entry that lists it."""
    folder = issue_folder_of(Path(article))
    manifest = folder / "issue.yaml"
    entry = Path(os.path.relpath(Path(article).resolve(), folder)).as_posix()
    listing = Listing(manifest=manifest, entry=entry, exists=manifest.is_file())
    if listing.exists:
        data = _safe_data(manifest)
        if isinstance(data, dict):
            listing.newspaper = bool(data.get("pages")) and not data.get("sections")
            listing.listed = os.path.normpath(entry) in {os.path.normpath(e) for e in _entries(data)}
    return listing


def add_to_manifest(listing: Listing) -> str:
    """Append the article to the last section's `articles:` of its manifest, editing the text;
    returns what was done, in words. Raises `KmyError` when it cannot be done safely."""
    where = display_path(listing.manifest)
    if not listing.exists:
        raise KmyError(_(NO_MANIFEST).format(manifest=where, entry=listing.entry))
    if listing.listed:
        return _(LISTED).format(manifest=where)
    if listing.newspaper:
        raise KmyError(_(NEWSPAPER).format(manifest=where, entry=listing.entry))
    raw = listing.manifest.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        new_text, line = _insert_entry(text.replace("\r\n", "\n"), listing.entry)
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or exc).strip()
        raise KmyError(_(UNREADABLE).format(manifest=where, problem=problem, entry=listing.entry)) from None
    if new_text is None:
        raise KmyError(_(NO_SECTIONS).format(manifest=where, entry=listing.entry))
    if not _landed(new_text, listing.entry):  # never write an edit that does not read back as meant
        raise KmyError(_(NOT_SAFE).format(manifest=where, entry=listing.entry))
    out = new_text.replace("\n", newline).encode("utf-8")
    write_bytes_atomic(listing.manifest, (b"\xef\xbb\xbf" if bom else b"") + out)
    return _(ADDED).format(entry=listing.entry, manifest=where, line=line)


def _insert_entry(text: str, entry: str) -> tuple[str | None, int]:
    """`text` with `entry` after the last item of the last section's articles, and the line it is on;
    (None, 0) when there is no such list."""
    root = yaml.compose(text)
    sections = _value(root, "sections")
    if not isinstance(sections, yaml.SequenceNode) or not sections.value:
        return None, 0
    articles = _value(sections.value[-1], "articles")
    if not isinstance(articles, yaml.SequenceNode):
        return None, 0
    scalar = _yaml_scalar(entry)
    if articles.flow_style or not articles.value:
        # [a.md, b.md] → [a.md, b.md, x.md]; the closing bracket is the node's last character
        close = articles.end_mark.index - 1
        if text[close] != "]":
            return None, 0
        if articles.value:
            at = articles.value[-1].end_mark.index
            return text[:at] + ", " + scalar + text[at:], text.count("\n", 0, at) + 1
        return text[:close] + scalar + text[close:], text.count("\n", 0, close) + 1
    last = articles.value[-1]
    lines = text.split("\n")
    item_line = last.start_mark.line
    prefix = lines[item_line][:last.start_mark.column]   # "      - "
    if prefix.strip() != "-":
        return None, 0
    end_line = max(last.end_mark.line - (1 if last.end_mark.column == 0 else 0), item_line)
    lines.insert(end_line + 1, prefix + scalar)
    return "\n".join(lines), end_line + 2


def _landed(text: str, entry: str) -> bool:
    """`text` reads back with `entry` as the last article of the last section."""
    try:
        data = yaml.safe_load(text)
        return data["sections"][-1]["articles"][-1] == entry
    except (yaml.YAMLError, KeyError, IndexError, TypeError):
        return False


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar: as it is when YAML reads it back the same, else double-quoted."""
    try:
        plain = yaml.safe_load(text) == text and "#" not in text and not text.startswith(("-", "{", "["))
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def _safe_data(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _entries(data: dict) -> list[str]:
    found = []
    for section in _list(data.get("sections")):
        if isinstance(section, dict):
            found += [e for e in _list(section.get("articles")) if isinstance(e, str)]
    for page in _list(data.get("pages")):
        if isinstance(page, dict):
            found += [s.get("source") for s in _list(page.get("stories"))
                      if isinstance(s, dict) and isinstance(s.get("source"), str)]
    return found


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
