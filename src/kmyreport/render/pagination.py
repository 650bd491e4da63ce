"""Pagination of a part: a document that is one piece of a longer one.

An issue rendered in parts (`parts`) renders each piece as its own WeasyPrint
document; for the pieces to be pages of one issue, each must paginate as if the
pages before it were there. `install()` extends WeasyPrint once per process; a
render asks for it through `settings` (per thread, set by the engine around one
render and cleared after it), and a render that asks for nothing is WeasyPrint's own:

- **first page**: the page counter starts at the part's first folio, and the first
  page is a right or a left page by that folio's parity (odd: right, in a
  left-to-right document), so `:left`/`:right` rules and folios are those of the
  whole issue;
- **folios settled after pagination**: where a part's first folio is not known when
  its layout starts (the parts before it are still being laid out), the part is laid
  out with a guess, and `settle(pages)` is asked once its pages are counted, before
  the margin boxes are made. It answers the true first folio: of the same parity
  the folios are shifted (the body does not depend on them); of the other parity
  every page changes side too: where the other side's page box has the same
  content width and height (mirrored margins), the page's content is moved to
  the other side's content box and the page takes that side's style, else
  `Repaginate` is raised, for the caller to lay the part out again with the folio
  it now knows (as it is where the document breaks to a left or right page);
- **anchors elsewhere**: `target-counter(…, page)` to an anchor in another part
  gives that anchor's page number, and a link to it is kept as a link to the named
  destination, which the assembled document holds (`assemble`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from weasyprint import document, layout, pdf
from weasyprint.css.targets import TargetCollector, TargetLookupItem
from weasyprint.formatting_structure import boxes
from weasyprint.layout.page import page_height, page_width, set_page_type_computed_styles
from weasyprint.layout.percent import resolve_percentages


class Repaginate(Exception):
    """The part was laid out on pages of the wrong side: lay it out again from `first_page`."""

    def __init__(self, first_page: int) -> None:
        super().__init__(first_page)
        self.first_page = first_page


@dataclass
class PartSettings:
    first_page: int = 1
    external_anchors: dict[str, int] = field(default_factory=dict)
    # Asked once with the number of pages laid out; answers the true first folio.
    settle: Callable[[int], int] | None = None
    shift: int = 0          # set when the folios were settled: added to each page's counter
    settled: bool = False
    pages: int = 0          # how many pages the part was laid out on
    flipped: int = 0        # pages moved to the other side after layout
    html: object = None     # the document being laid out (its page styles are computed from it)


_local = threading.local()


def current() -> PartSettings | None:
    return getattr(_local, "settings", None)


class active:
    """`with active(settings):` one render paginates as that part (`None`: as a whole document)."""

    def __init__(self, settings: PartSettings | None) -> None:
        self.settings = settings

    def __enter__(self) -> PartSettings | None:
        _local.settings = self.settings
        return self.settings

    def __exit__(self, *exc) -> None:
        _local.settings = None


class _Counted:
    """What a `target-counter()` reads of an anchor in another part: its page."""

    def __init__(self, page: int) -> None:
        self.cached_counter_values = {"page": [page]}


def _initialize_page_maker(context, root_box):
    _original["initialize_page_maker"](context, root_box)
    settings = current()
    if settings is None or settings.first_page == 1:
        return
    resume_at, next_page, right_page, page_state, remake_state = context.page_maker[0]
    ltr = root_box.style["direction"] == "ltr"
    right_page = (settings.first_page % 2 == 1) == ltr
    page_state[1]["page"] = [settings.first_page - 1]
    page_state[2][0].add("page")
    context.page_maker[0] = (resume_at, next_page, right_page, page_state, remake_state)


def _make_margin_boxes(context, page, state):
    settings = current()
    if settings is not None:
        if not settings.settled:
            settings.settled = True
            settings.pages = len(context.page_maker) - 1
            if settings.settle is not None:
                first = settings.settle(settings.pages)
                settings.shift = first - settings.first_page
        if settings.shift % 2:
            _flip(context, page, settings)
        if settings.shift:
            counters = dict(state[1])
            counters["page"] = [value + settings.shift for value in counters.get("page", [0])]
            state = (state[0], counters, *state[2:])
    return _original["make_margin_boxes"](context, page, state)


_SIDE_BREAK = ("left", "right", "recto", "verso")


def _flip(context, page, settings: PartSettings) -> None:
    """Move a laid-out page to the other side, or raise `Repaginate` where that changes its layout."""
    first = settings.first_page + settings.shift
    old = page.page_type
    if old.blank or settings.html is None or _breaks_to_a_side(context):
        raise Repaginate(first)
    new_type = old._replace(side="left" if old.side == "right" else "right")
    set_page_type_computed_styles(new_type, settings.html, context.style_for)
    style = context.style_for(new_type)
    style["overflow"] = page.style["overflow"]
    moved = boxes.PageBox(new_type, style)
    width, height = moved.style["size"]
    resolve_percentages(moved, (width, height))
    moved.position_x = moved.position_y = 0
    page_width(moved, context, width)
    page_height(moved, context, height)
    if (moved.width, moved.height, moved.content_box_y()) != (page.width, page.height, page.content_box_y()):
        raise Repaginate(first)
    dx = moved.content_box_x() - page.content_box_x()
    for child in page.children:
        child.translate(dx, 0)
    page.page_type, page.style = new_type, style
    for side in ("left", "right"):
        for box_part in ("margin", "padding", "border"):
            name = f"{box_part}_{side}" if box_part != "border" else f"border_{side}_width"
            setattr(page, name, getattr(moved, name))
    settings.flipped += 1


def _breaks_to_a_side(context) -> bool:
    """Whether the document breaks to a left or right page anywhere (then a side decides page counts)."""
    for _resume_at, next_page, *_ in context.page_maker:
        if next_page and next_page.get("break") in _SIDE_BREAK:
            return True
    return False


def _layout_document(html, root_box, context, *args, **kwargs):
    settings = current()
    if settings is not None:
        settings.html = html
    return _original["layout_document"](html, root_box, context, *args, **kwargs)


def _collector_init(self):
    _original["collector_init"](self)
    settings = current()
    if settings is None:
        return
    for name, page in settings.external_anchors.items():
        item = TargetLookupItem("up-to-date")
        item.target_box = _Counted(page)
        item.page_maker_index = -1
        self.target_lookup_items[name] = item


def _resolve_links(pages):
    settings = current()
    if settings is None or not settings.external_anchors:
        yield from _original["resolve_links"](pages)
        return
    elsewhere = settings.external_anchors
    kept: list[list] = []
    for page in pages:  # links to anchors in other parts: set aside, so that WeasyPrint does not drop them
        kept.append([link for link in page.links if link[0] == "internal" and link[1] in elsewhere])
        page.links = [link for link in page.links if not (link[0] == "internal" and link[1] in elsewhere)]
    for (links, anchors), extra in zip(_original["resolve_links"](pages), kept):
        yield links + extra, anchors


_original: dict = {}


def install() -> None:
    """Extend WeasyPrint's pagination, once per process (later calls do nothing)."""
    if _original:
        return
    _original.update(initialize_page_maker=layout.initialize_page_maker,
                     make_margin_boxes=layout.make_margin_boxes, layout_document=document.layout_document,
                     collector_init=TargetCollector.__init__, resolve_links=pdf.resolve_links)
    document.layout_document = _layout_document
    layout.initialize_page_maker = _initialize_page_maker
    layout.make_margin_boxes = _make_margin_boxes
    TargetCollector.__init__ = _collector_init
    pdf.resolve_links = _resolve_links
