"""Where the boxes and lines of a laid-out document fall: plain data for composers.

A layout marks what it wants measured with attributes:

- `data-kmy-box="<id>"`: the element's border box (its first box on a page);
- `data-kmy-flow="<id>"`: every line laid out inside the element (a multicol body of a
  fixed height lays out the text that does not fit as further columns to the right of
  the element, so a composer finds the overflow by comparing each line's x with the box);
- `data-kmy-block="<id>"`: the block (paragraph, head) a line belongs to.

`measure(job)` lays the HTML out without writing a PDF and returns, per page, the
boxes and the lines of each flow in millimetres from the page's top left corner,
with the characters each line holds. Nothing of the engine leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import RenderJob

PX_MM = 25.4 / 96  # CSS px → mm


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Line:
    """One laid-out line of a flow: where it is and the characters on it, in order."""

    x: float
    y: float
    width: float
    height: float
    text: str
    block: str | None  # the `data-kmy-block` of the paragraph or head it belongs to


@dataclass
class PageMeasure:
    boxes: dict[str, Rect] = field(default_factory=dict)
    flows: dict[str, list[Line]] = field(default_factory=dict)


def measure(job: RenderJob) -> list[PageMeasure]:
    """Lay out `job.html` (no PDF is written) and measure its marked boxes and flows."""
    import weasyprint

    from ..errors import KmyError
    from ..i18n import _
    from .engine import font_configuration
    from .fetcher import WorkspaceURLFetcher
    from .justify import OPT_IN_STYLESHEET

    fetcher = WorkspaceURLFetcher(job.workspace)
    font_config = font_configuration()
    stylesheets = [weasyprint.CSS(string=OPT_IN_STYLESHEET, font_config=font_config)] if job.cjk_justify else None
    document = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render(
        font_config=font_config, pdf_variant=job.pdf_variant, stylesheets=stylesheets)
    if fetcher.refused:
        listed = ", ".join(dict.fromkeys(fetcher.refused))
        raise KmyError(_("the layout or copy asks for resources outside the workspace: {resources}; put the "
                         "files inside the workspace and use relative paths").format(resources=listed),
                       job.source_name)
    return measure_document(document)


def measure_document(document: Any) -> list[PageMeasure]:
    """The marked boxes and flows of every page of a rendered WeasyPrint document."""
    return [_measure_page(page._page_box) for page in document.pages]


def _measure_page(page_box: Any) -> PageMeasure:
    from weasyprint.formatting_structure import boxes

    result = PageMeasure()

    def attr(box: Any, name: str) -> str | None:
        element = getattr(box, "element", None)
        if element is None or getattr(box, "element_tag", None) is None:
            return None
        return element.get(name)

    def walk(box: Any, flow: str | None, block: str | None) -> None:
        if isinstance(box, boxes.TextBox):
            return
        box_id = attr(box, "data-kmy-box")
        if box_id is not None and not isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            rect = Rect(box.border_box_x() * PX_MM, box.border_box_y() * PX_MM,
                        box.border_width() * PX_MM, box.border_height() * PX_MM)
            # The first box of the element: a multicol container comes before the copies of it
            # that hold its columns (those reach over the overflow columns too).
            result.boxes.setdefault(box_id, rect)
        flow = attr(box, "data-kmy-flow") or flow
        block = attr(box, "data-kmy-block") or block
        if isinstance(box, boxes.LineBox):
            if flow is not None:
                text = "".join(t.text for t in _text_boxes(box, boxes.TextBox))
                result.flows.setdefault(flow, []).append(Line(
                    box.position_x * PX_MM, box.position_y * PX_MM, box.width * PX_MM, box.height * PX_MM,
                    text, block))
            return
        for child in getattr(box, "children", None) or ():
            walk(child, flow, block)

    walk(page_box, None, None)
    return result


def _text_boxes(box: Any, text_type: type) -> list[Any]:
    if isinstance(box, text_type):
        return [box]
    found = []
    for child in getattr(box, "children", None) or ():
        found.extend(_text_boxes(child, text_type))
    return found

