"""Origin: where a piece first ran (`（本文原载于…《新疆日报》…）`, `转自《…》…`), with date and page."""

from __future__ import annotations

import datetime as _dt
import re

from ...articles import Origin
from ...i18n import N_, _
from ..model import SPACES
from .frame import VALUE_TRIM

ORIGIN_RE = re.compile(r"[（(]?[^（(]{0,6}(?:原载|原刊|刊载于|刊发于)[^（）()]*《[^》]+》[^（）()]*[）)]?$")
DATE_RES = [
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})"),
]
PAGE_RE = re.compile(r"第\s*([A-Za-z]?\d{1,3}|[一二三四五六七八九十]{1,3})\s*版|\b([A-Z]\d{1,2})\s*版")


def parse_origin(text: str) -> Origin | None:
    """`…。（本文原载于2024年7月16日《新疆日报》第5版）` → {publication, date, page}."""
    match = ORIGIN_RE.search(text)
    if not match:
        return None
    note = match.group()
    publication = re.search(r"《([^》]+)》", note).group(1)
    return Origin.model_construct(publication=publication, date=_origin_date(note), page=_origin_page(note))


def parse_source_value(value: str) -> Origin | None:
    """`新疆日报`, `《克拉玛依日报》2024年7月18日第3版` → {publication, date, page}; None for prose.

    Nothing else may be on the line: whatever is not the publication, a date or a page
    would be lost in the front matter.
    """
    rest = value
    for pattern in [re.compile(r"《[^》]+》")] + DATE_RES + [PAGE_RE]:
        rest = pattern.sub(" ", rest, count=1)
    rest = rest.strip(VALUE_TRIM)
    book = re.search(r"《([^》]+)》", value)
    if book:
        publication = book.group(1).strip(SPACES)
        if rest or not publication:
            return None
    else:
        publication = rest
        if not 2 <= len(publication) <= 20 or re.search(r"[。，,；;！？!?：:（）()《》\s\u3000]", publication):
            return None
    return Origin.model_construct(publication=publication, date=_origin_date(value), page=_origin_page(value))


def _origin_date(note: str) -> _dt.date | None:
    for date_re in DATE_RES:
        found = date_re.search(note)
        if found:
            try:
                return _dt.date(*map(int, found.groups()))
            except ValueError:
                return None
    return None


def _origin_page(note: str) -> str | None:
    page_match = PAGE_RE.search(note)
    return re.sub(r"\s+", "", page_match.group()) if page_match else None


def describe_origin(origin: Origin) -> str:
    """`报刊：新疆日报，日期：2024-07-16` (`publication: 新疆日报, date: 2024-07-16`), as the import report shows an origin."""
    return _(", ").join(
        _(label).format(value=value)
        for label, value in ((N_("publication: {value}"), origin.publication), (N_("date: {value}"), origin.date),
                             (N_("page: {value}"), origin.page))
        if value
    )
