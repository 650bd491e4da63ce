"""`kmyreport new issue ID`: the next issue's folder, made from the previous issue.

`sources/<ID>/` gets an `issue.yaml`, an `articles/` folder with one placeholder article the
manifest lists (so the new issue compiles as it is) and an empty `photos/` folder. From the
previous issue it takes the publication, the layout, the editors and the layout tokens; the
issue number is one more, a `总第N期` volume one more, and the date is the previous date plus the
usual interval (below) unless `--date` gives it. The issue's own title and keywords are not
carried over. A bulletin keeps the title of its first section; a newspaper keeps its pages
(number, name, 责任编辑), with the placeholder as the lead story of the first page.

The previous issue is `--from` (an issue id under sources/, or its folder or manifest), else the
latest issue (by date, then number) of the same series: the issues whose ids are the new id's
once digits and separators are taken out (`2024-09` follows `2024-08`; `2024-08-17-daily` follows
`2024-08-daily`), or of all issues when none is.

The usual interval is the gap between the series' two latest issues; with one issue only, it is
a month when its id is a year and month (2024-07 → 2024-08), and otherwise there is nothing to go
by, so `--date` is asked for. The date never comes from the clock, so the same command gives the
same files.

The folder is made under a temporary name and renamed into place, so an existing folder is
never touched and a failure leaves nothing behind. Every sentence the user sees is made here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import KmyError, display_path
from .i18n import N_, _

PLACEHOLDER = "articles/01-placeholder.md"
PLACEHOLDER_TEXT = """\
---
title: 标题待定
---

这是新一期的占位文章：写好第一篇稿件后，在 issue.yaml 中用它替换 {name}，再删除本文件。
"""

BAD_ID = N_("'{id}' is not a folder name; use letters, digits, '-', '_' or '.', e.g. 2024-08")
EXISTS = N_("{folder} already exists; nothing was changed: choose another id, or remove the folder first")
NO_SOURCES = N_("no issues under {sources} to start from; give one with --from, e.g. --from sources/2024-07")
FROM_NOT_FOUND = N_("--from {given}: no issue manifest there; give an issue id under sources/ or the path of its issue.yaml")
UNREADABLE = N_("{manifest} cannot be read ({problem}); fix it (kmyreport check shows how) or start from another issue with --from")
NO_INTERVAL = N_("cannot tell when the issue after {previous} comes out: there is only one issue of this series and "
               "its id is not a year and month; give the date with --date YYYY-MM-DD")
BAD_DATE = N_("--date {given}: not a date; write it as YYYY-MM-DD, e.g. 2024-08-20")
MADE = N_("made {folder} from {previous}: 第{number}期, {date}; {placeholder} is a placeholder to replace")


@dataclass
class Candidate:
    manifest: Path
    data: dict[str, Any]

    @property
    def issue(self) -> dict[str, Any]:
        issue = self.data.get("issue")
        return issue if isinstance(issue, dict) else {}

    @property
    def id(self) -> str:
        return str(self.issue.get("id") or self.manifest.parent.name)

    @property
    def date(self) -> dt.date:
        return _as_date(self.issue.get("date")) or dt.date.min

    @property
    def number(self) -> int:
        value = self.issue.get("number")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass
class NewIssue:
    folder: Path
    manifest: Path
    previous: Path
    number: int
    date: dt.date

    def summary(self) -> str:
        return _(MADE).format(folder=display_path(self.folder), previous=display_path(self.previous.parent),
                           number=self.number, date=self.date.isoformat(), placeholder=PLACEHOLDER)


def new_issue(issue_id: str, workspace: Path, *, source: str | None = None, date: str | None = None) -> NewIssue:
    """Make `sources/<issue_id>/` in `workspace` from the previous issue (see the module)."""
    if not re.fullmatch(r"[\w][\w.-]*", issue_id):
        raise KmyError(_(BAD_ID).format(id=issue_id))
    sources = workspace / "sources"
    folder = sources / issue_id
    if folder.exists():
        raise KmyError(_(EXISTS).format(folder=display_path(folder)))
    given_date = _parse_date(date) if date is not None else None
    previous, series = _previous(issue_id, sources, source)
    new_date = given_date or _next_date(previous, series, issue_id)
    number = previous.number + 1
    text = manifest_text(previous, issue_id, number, new_date, workspace)

    sources.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{issue_id}.", suffix=".new", dir=sources))
    try:
        (staging / "articles").mkdir()
        (staging / "photos").mkdir()
        (staging / "issue.yaml").write_text(text, encoding="utf-8")
        (staging / PLACEHOLDER).write_text(PLACEHOLDER_TEXT.format(name=PLACEHOLDER), encoding="utf-8")
        os.rename(staging, folder)  # fails, touching nothing, if the folder appeared meanwhile
    except OSError as exc:
        if folder.exists():
            raise KmyError(_(EXISTS).format(folder=display_path(folder))) from None
        raise KmyError(_("cannot make {folder}: {problem}").format(folder=display_path(folder),
                                                              problem=exc.strerror or exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewIssue(folder=folder, manifest=folder / "issue.yaml", previous=previous.manifest, number=number,
                    date=new_date)


def manifest_text(previous: Candidate, issue_id: str, number: int, date: dt.date, workspace: Path) -> str:
    """The new issue.yaml: a schema line, a comment saying where it came from, then the data."""
    old = previous.data
    issue: dict[str, Any] = {"number": number, "date": date}
    volume = previous.issue.get("volume")
    if isinstance(volume, str) and re.fullmatch(r"总第\d+期", volume):
        issue["volume"] = f"总第{int(volume[2:-1]) + 1}期"
    data: dict[str, Any] = {"publication": old.get("publication"), "issue": issue}
    for key in ("layout", "editors", "tokens"):
        if old.get(key):
            data[key] = old[key]
    if isinstance(old.get("pages"), list) and old["pages"]:
        data["pages"] = _pages(old["pages"])
    else:
        sections = old.get("sections")
        first = sections[0] if isinstance(sections, list) and sections else {}
        section = {"title": first["title"]} if isinstance(first, dict) and first.get("title") else {}
        data["sections"] = [section | {"articles": [PLACEHOLDER]}]
    lines = []
    schema = workspace / "schemas" / "issue.schema.json"
    if schema.is_file():
        lines.append(f"# yaml-language-server: $schema=../../schemas/{schema.name}")
    lines.append(f"# made by `kmyreport new issue {issue_id}` from {previous.manifest.parent.name} "
                 f"(第{previous.number}期, {previous.date.isoformat()})")
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)
    return "\n".join(lines) + "\n" + body


class _Dumper(yaml.SafeDumper):
    """YAML as the samples write it: list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _pages(pages: list[Any]) -> list[dict[str, Any]]:
    """A newspaper's pages as they were (number, name, 责任编辑), with the placeholder as the lead story
    of the first page, where the previous lead stood (or across the page under the 报头)."""
    out = []
    for index, page in enumerate(page for page in pages if isinstance(page, dict)):
        new = {key: page[key] for key in ("number", "name", "editor") if key in page}
        stories = []
        if index == 0:
            stories_before = page.get("stories") if isinstance(page.get("stories"), list) else []
            leads = [s for s in stories_before if isinstance(s, dict) and isinstance(s.get("area"), dict)]
            lead = min(leads, key=lambda s: s.get("rank") if isinstance(s.get("rank"), int) else 3, default=None)
            area = lead["area"] if lead else {"col": 1, "cols": 6, "row": 4, "rows": 3}
            stories.append({"source": PLACEHOLDER, "area": area, "rank": 1})
        new["stories"] = stories
        out.append(new)
    return out


def _previous(issue_id: str, sources: Path, given: str | None) -> tuple[Candidate, list[Candidate]]:
    """The issue to start from and the series it belongs to (oldest first)."""
    if given is not None:
        path = Path(given)
        for probe in (path, path / "issue.yaml", sources / given / "issue.yaml"):
            if probe.is_file():
                chosen = _candidate(probe, strict=True)
                assert chosen is not None
                series = [c for c in _all(sources) if _series(c.id) == _series(chosen.id)] or [chosen]
                return chosen, sorted(series, key=lambda c: (c.date, c.number))
        raise KmyError(_(FROM_NOT_FOUND).format(given=given))
    everything = _all(sources)
    if not everything:
        raise KmyError(_(NO_SOURCES).format(sources=display_path(sources)))
    series = [c for c in everything if _series(c.id) == _series(issue_id)] or everything
    series.sort(key=lambda c: (c.date, c.number))
    return series[-1], series


def _all(sources: Path) -> list[Candidate]:
    found = []
    for manifest in sorted(sources.glob("*/issue.yaml")):
        candidate = _candidate(manifest, strict=False)
        if candidate is not None:
            found.append(candidate)
    return found


def _candidate(manifest: Path, *, strict: bool) -> Candidate | None:
    """An issue to start from: its manifest's data (read leniently: it need only parse)."""
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        if strict:
            problem = str(getattr(exc, "problem", None) or getattr(exc, "reason", None) or exc).strip()
            raise KmyError(_(UNREADABLE).format(manifest=display_path(manifest), problem=problem)) from None
        return None
    if not isinstance(data, dict) or not isinstance(data.get("publication"), dict):
        if strict:
            raise KmyError(_(UNREADABLE).format(manifest=display_path(manifest), problem=_("no publication")))
        return None
    return Candidate(manifest, data)


def _series(issue_id: str) -> str:
    """What stays of an id without its digits and separators: the issues of one series share it
    (2024-08-16-daily and 2024-08-daily: daily)."""
    return re.sub(r"[\d._-]+", "", issue_id)


def _next_date(previous: Candidate, series: list[Candidate], issue_id: str) -> dt.date:
    dates = sorted({c.date for c in series if c.date != dt.date.min})
    gaps = [later - earlier for earlier, later in zip(dates, dates[1:])]
    if gaps:
        gap = Counter(gaps[-5:]).most_common(1)[0][0]  # the usual gap of the latest issues
        if 28 <= gap.days <= 31:
            return _add_month(previous.date)
        return previous.date + gap
    if re.fullmatch(r"\d{4}-\d{2}", previous.id) and re.fullmatch(r"\d{4}-\d{2}", issue_id):
        return _add_month(previous.date)
    raise KmyError(_(NO_INTERVAL).format(previous=previous.id))


def _add_month(date: dt.date) -> dt.date:
    year, month = (date.year + 1, 1) if date.month == 12 else (date.year, date.month + 1)
    for day in range(date.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(date.day, 28))


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _parse_date(given: str) -> dt.date:
    parsed = _as_date(given)
    if parsed is None:
        raise KmyError(_(BAD_DATE).format(given=given))
    return parsed
