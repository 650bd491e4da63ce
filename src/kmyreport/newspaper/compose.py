"""Setting a newspaper: each story into its grid area, the fit measured, the jumps split.

The pages are laid out three times without writing a PDF (`render.measure`), each time
with the photos as empty boxes of their placed size:

1. the headlines and photos, to find where each story's body starts: the next line of the
   baseline grid below them;
2. every story's body in its columns at that height with all its text: what does not fit
   is laid out as further columns to the right of the area, so the lines beyond the area
   are the overflow, counted in 字 and lines. A story with `continue: N` is cut at the start
   of the last line that fits (that line takes 下转第N版), and the rest goes to its area on
   page N under 上接第X版;
3. the pages as they will print, to report the fit of every story and continuation.

Overflow without `continue:` is an error naming the story's file and how many 字 to cut,
unless the caller lets it pass as a warning.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..articles import Article, PhotoRef
from ..editions import Edition
from ..errors import KmyError, display_path
from ..i18n import _
from ..layouts import Layout, render_template
from ..manifest import LoadedManifest
from ..photos import Placement, PreparedPhoto, placed_size
from ..present import issue_context
from ..render import RenderJob
from ..render.measure import Line, PageMeasure, Rect, measure
from ..workspace import Workspace
from .grid import Box, Grid, grid_of
from .model import Area, NewsPage, Story
from .story import Block, blocks_of, count_chars, split_blocks

WEEKDAYS = "一二三四五六日"
EPS = 0.5  # mm: a line whose left edge lies this far past the area's right edge is outside it


@dataclass
class Placed:
    """One story area on one page: a story, or the continuation of one (a jump's landing)."""

    key: str
    page: NewsPage
    loc: tuple[str | int, ...]            # the story entry in the manifest
    story: Story
    article: Article
    area: Area
    box: Box
    area_label: str
    continued_from: int | None = None     # a landing: the page the story starts on
    continues_on: int | None = None       # a story that jumps: the page it continues on
    landing: Placed | None = None
    blocks: list[Block] = field(default_factory=list)
    body_top: float | None = None
    lines_per_column: int = 0
    jumped_chars: int = 0

    @property
    def rank(self) -> int:
        return 4 if self.continued_from else self.story.rank


@dataclass
class StoryFit:
    """How one story (or continuation) fits its area: positive is over, negative is room left."""

    page: int
    source: str
    title: str
    part: str                 # "story" or "continued"
    area: str
    columns: int
    lines: int                # lines the area's body holds (columns × lines per column)
    over_lines: int
    over_chars: int
    jumped_chars: int = 0     # characters carried over to the continuation
    continues_on: int | None = None
    continued_from: int | None = None

    def describe(self) -> str:
        where = f"第{self.page:02d}版 {self.source}" + ("（续）" if self.part == "continued" else "")
        if self.over_lines > 0:
            state = _("over by {chars} 字 ({lines} lines)").format(chars=self.over_chars, lines=self.over_lines)
        elif self.over_lines < 0:
            state = _("under by about {chars} 字 ({lines} lines free)").format(chars=-self.over_chars,
                                                                             lines=-self.over_lines)
        else:
            state = _("fits exactly")
        jump = _("; {chars} 字 jump to 第{page}版").format(chars=self.jumped_chars, page=f"{self.continues_on:02d}") \
            if self.continues_on else ""
        return _("{where} [{area}, {columns} columns, {lines} lines]: {state}{jump}").format(
            where=where, area=self.area, columns=self.columns, lines=self.lines, state=state, jump=jump)


@dataclass
class FitReport:
    stories: list[StoryFit]

    def over(self) -> list[StoryFit]:
        return [fit for fit in self.stories if fit.over_lines > 0]

    def as_dict(self) -> dict[str, Any]:
        return {"stories": [vars(fit) for fit in self.stories]}

    def to_text(self) -> str:
        return "\n".join(fit.describe() for fit in self.stories) + "\n"


@dataclass
class Composition:
    """A newspaper's pages, composed: the HTML to render, and what the render must hold."""

    html: str
    report: FitReport
    warnings: list[str]
    page_numbers: list[int]
    placed: list[Placed] = field(default_factory=list)
    grid: Grid | None = None
    overflow: str = "error"

    def check(self, measures: list[PageMeasure]) -> list[str]:
        """The fit of every story on the pages as rendered (one measure per page, in order); an
        overflow is a `KmyError` naming the story's file, or a warning. Returns the warnings."""
        by_number = dict(zip(self.page_numbers, measures))
        self.report = FitReport([_fit(entry, by_number[entry.page.number], self.grid) for entry in self.placed])
        warnings: list[str] = []
        for entry, fit in zip(self.placed, self.report.stories):
            if entry.continues_on and entry.landing is not None and not entry.landing.blocks:
                warnings.append(_("{path} fits on 第{page}版; its area on 第{continued}版 stays empty").format(
                    path=display_path(entry.article.path), page=f"{entry.page.number:02d}",
                    continued=f"{entry.continues_on:02d}"))
            if fit.over_lines > 0 and self.overflow != "report":
                message = (_("the continuation does not fit its area on 第{page}版 ({area}): cut {chars} 字 ({lines} "
                             "lines), give it a larger area, or let it continue on another page with continue: N")
                           if fit.part == "continued" else
                           _("does not fit its area on 第{page}版 ({area}): cut {chars} 字 ({lines} lines), give it a "
                             "larger area, or let it continue on another page with continue: N")).format(
                    page=f"{fit.page:02d}", area=fit.area, chars=fit.over_chars, lines=fit.over_lines)
                if self.overflow != "warn":
                    raise KmyError(message, entry.article.path)
                warnings.append(f"{display_path(entry.article.path)}: {message}")
        self.warnings = warnings
        return warnings


class NewspaperComposer:
    """The composer of a manifest with `pages` (see `kmyreport.compose`)."""

    name = "newspaper"

    def __init__(self, overflow: str = "error") -> None:
        self.overflow = overflow           # "error", "warn" or "report" (the fit command)
        self.composition: Composition | None = None

    def placement_for(self, manifest: LoadedManifest, layout: Layout, articles: list[Article],
                      placement: Placement) -> Callable[[PhotoRef], Placement]:
        """Photos are placed across whole columns of their story (see `photo_size`)."""
        grid = grid_of(layout)
        widths = _photo_widths(manifest, grid, articles)

        def place(photo: PhotoRef) -> Placement:
            if id(photo) not in widths:
                return placement
            width, height = photo_size(_pixel_size(photo.source), widths[id(photo)], grid, placement.max_height_mm)
            return Placement(width, height + 0.01, placement.ppi)

        return place

    def compose(self, manifest: LoadedManifest, layout: Layout, edition: Edition, articles: list[Article],
                prepared: dict[int, PreparedPhoto] | None, workspace: Workspace) -> Composition:
        self.composition = compose_pages(manifest, layout, edition, articles, prepared, workspace,
                                         overflow=self.overflow)
        return self.composition

    measure_render = True  # the render of the HTML is measured, and checked by `rendered`

    def rendered(self, measures: list[PageMeasure] | None) -> list[str]:
        """Check the rendered pages: every story fits its area (or warn); returns the warnings."""
        if self.composition is None or measures is None:
            return []
        return self.composition.check(measures)

    def outputs(self, pdf: bytes, target: Path) -> list[Path]:
        from .pages import write_page_files

        numbers = self.composition.page_numbers if self.composition else []
        return write_page_files(pdf, target, numbers)


def _photo_widths(manifest: LoadedManifest, grid: Grid, articles: list[Article]) -> dict[int, float]:
    """`id(photo)` → the width of its story's area (where the story starts, not where it continues)."""
    by_path = {article.path: article for article in articles}
    widths: dict[int, float] = {}
    for page in manifest.model.pages:
        for story in page.stories:
            area = _resolve_area(story.area, grid)
            article = by_path.get((manifest.folder / story.source).resolve())
            if area is None or article is None:
                continue
            for photo in article.photos:
                widths.setdefault(id(photo), grid.box(area).width)
    return widths


def _resolve_area(area: Area | str, grid: Grid) -> Area | None:
    if isinstance(area, Area):
        return area
    return grid.slots.get(area)


def plan_pages(manifest: LoadedManifest, grid: Grid, articles: list[Article]) -> list[Placed]:
    """Every story area of the issue, checked against the grid; jumps linked to their landings."""
    pages = manifest.model.pages
    numbers = [page.number for page in pages]
    if sorted(numbers) != list(range(1, len(pages) + 1)):
        index = next((i for i, n in enumerate(numbers) if numbers.count(n) > 1 or n > len(pages)), 0)
        raise manifest.error_at(("pages", index, "number"), f"the pages are numbered {numbers}; number them "
                                f"1 to {len(pages)}, each once (a press prints every 版)")
    by_path = {article.path: article for article in articles}
    placed: list[Placed] = []
    first: dict[Path, Placed] = {}
    for p_index, page in enumerate(pages):
        taken: list[tuple[Area, str]] = [(grid.masthead, "the masthead (报头)")] if page.number == 1 else []
        for s_index, story in enumerate(page.stories):
            loc = ("pages", p_index, "stories", s_index)
            area = _resolve_area(story.area, grid)
            if area is None:
                names = ", ".join(grid.slots) or "none"
                raise manifest.error_at(loc + ("area",), f"no slot '{story.area}' in the layout; its slots: {names}, "
                                        "or give {col, cols, row, rows}")
            if not grid.contains(area):
                raise manifest.error_at(loc + ("area",), f"the area reaches beyond the grid of {grid.columns} "
                                        f"columns and {grid.rows} rows; keep col + cols - 1 ≤ {grid.columns} and "
                                        f"row + rows - 1 ≤ {grid.rows}")
            for other, name in taken:
                if _overlap(area, other):
                    raise manifest.error_at(loc + ("area",), f"the area overlaps {name} on 第{page.number:02d}版; "
                                            "move it or make it smaller")
            path = (manifest.folder / story.source).resolve()
            label = story.area if isinstance(story.area, str) else (
                f"col {area.col}–{area.col + area.cols - 1}, row {area.row}–{area.row + area.rows - 1}")
            entry = Placed(key=f"s{p_index + 1}-{s_index + 1}", page=page, loc=loc, story=story,
                           article=by_path[path], area=area, box=grid.box(area), area_label=label)
            earlier = first.get(path)
            if earlier is None:
                first[path] = entry
                entry.blocks = blocks_of(entry.article, entry.key)
                entry.continues_on = story.continue_
            elif earlier.continues_on == page.number and earlier.landing is None:
                entry.continued_from = earlier.page.number
                earlier.landing = entry
            elif story.continue_ == earlier.page.number:
                raise manifest.error_at(loc + ("continue",), f"{story.source} would jump back to "
                                        f"第{earlier.page.number:02d}版; a story starts on the earlier page and "
                                        "continues on a later one")
            else:
                raise manifest.error_at(loc + ("source",), f"{story.source} is placed twice; a story appears once, "
                                        "and again only on the page its continue: names")
            taken.append((area, f"{story.source}"))
            placed.append(entry)
    for entry in placed:
        if entry.continues_on is not None and entry.landing is None:
            if entry.continues_on not in numbers or entry.continues_on == entry.page.number:
                raise manifest.error_at(entry.loc + ("continue",), f"continue: {entry.continues_on} names no other "
                                        f"page of this issue (pages {', '.join(map(str, sorted(numbers)))})")
            raise manifest.error_at(entry.loc + ("continue",), f"the story continues on 第{entry.continues_on:02d}版, "
                                    f"but that page does not list {entry.story.source}; add it to that page's "
                                    "stories with the area where it continues")
    return placed


def _overlap(a: Area, b: Area) -> bool:
    return (a.col < b.col + b.cols and b.col < a.col + a.cols and a.row < b.row + b.rows and b.row < a.row + a.rows)


def compose_pages(manifest: LoadedManifest, layout: Layout, edition: Edition, articles: list[Article],
                  prepared: dict[int, PreparedPhoto] | None, workspace: Workspace, *, overflow: str = "error",
                  final: bool = True) -> Composition:
    """Measure and split; the HTML of the pages as they print (`final`), or the fit report alone.

    A final composition is checked on the render of its HTML (`Composition.check`), which is
    measured as it is made; the fit report lays the pages out once more instead."""
    grid = grid_of(layout)
    placed = plan_pages(manifest, grid, articles)
    base = issue_context(manifest, layout, edition, articles, prepared or {}, workspace)
    photo_box = _photo_sizes(placed, prepared, grid, layout.config.photos.max_height_mm)
    # the photos as the edition prepared them (CMYK for print, resampled to their place), not the originals
    photo_src = {key: workspace.url(photo.path) for key, photo in (prepared or {}).items()}

    def html(phase: str, measuring: bool, numbers: set[int] | None = None) -> str:
        context = dict(base)
        context.update(_pages_context(manifest, grid, placed, photo_box, phase, measuring, numbers, workspace,
                                      photo_src))
        return render_template(layout, layout.config.template, context)

    def measured(phase: str, numbers: set[int] | None = None) -> dict[int, PageMeasure]:
        """The measure of each page laid out (all, or those numbered), by page number."""
        job = RenderJob(html=html(phase, True, numbers), base_url=layout.base_url,
                        workspace=workspace, source_name=display_path(layout.folder))
        shown = sorted(numbers if numbers is not None else {page.number for page in manifest.model.pages})
        return dict(zip(shown, measure(job)))

    # 1. where the bodies start: the next line of the baseline grid below headline and photos
    heads = measured("heads")
    for entry in placed:
        head = heads[entry.page.number].boxes.get(f"{entry.key}-head")
        bottom = head.bottom if head else entry.box.y
        steps = math.ceil((bottom - entry.box.y) / grid.leading - 0.02)
        entry.body_top = entry.box.y + steps * grid.leading
        entry.lines_per_column = grid.lines_in(entry.box.bottom - grid.leading - entry.body_top)
        if entry.lines_per_column < 1:
            raise manifest.error_at(entry.loc + ("area",), f"the headline and photos of {entry.story.source} fill "
                                    "the whole area; give it more rows")
    # 2. the pages with stories that jump, all their text set: where each is cut
    jumping = {entry.page.number for entry in placed if entry.landing is not None}
    full = measured("full", jumping) if jumping else {}
    for entry in placed:
        if entry.landing is None:
            continue
        lines = full[entry.page.number].flows.get(entry.key, [])
        body = full[entry.page.number].boxes[f"{entry.key}-body"]
        inside = [line for line in lines if line.x < body.right - EPS]
        if len(inside) == len(lines):
            continue  # it fits: nothing jumps
        last = inside[-1] if inside else None
        cut_block = last.block if last is not None else lines[0].block
        kept = sum(count_chars(line.text) for line in inside[:-1] if line.block == cut_block)
        if cut_block not in {block.id for block in entry.blocks}:
            cut_block, kept = entry.blocks[0].id, 0
        entry.blocks, rest = split_blocks(entry.blocks, cut_block, kept)
        entry.landing.blocks = rest
        entry.jumped_chars = sum(count_chars(block.text) for block in rest)
    composition = Composition(html="", report=FitReport([]), warnings=[],
                              page_numbers=sorted(page.number for page in manifest.model.pages),
                              placed=placed, grid=grid, overflow=overflow)
    if final:
        composition.html = html("final", False)
        return composition
    # 3. the pages as they print (the fit report alone: no PDF is made)
    composition.check(list(measured("final").values()))
    return composition


def _fit(entry: Placed, page: PageMeasure, grid: Grid) -> StoryFit:
    lines: list[Line] = page.flows.get(entry.key, [])
    body: Rect | None = page.boxes.get(f"{entry.key}-body")
    cols = entry.area.cols
    capacity = cols * entry.lines_per_column
    over: list[Line] = [line for line in lines if body is not None and line.x >= body.right - EPS]
    if over:
        over_lines, over_chars = len(over), sum(count_chars(line.text) for line in over)
    else:
        free = 0
        pitch = grid.column_width + grid.gap
        top = entry.body_top or entry.box.y
        for column in range(cols):
            x0 = (body.x if body else entry.box.x) + column * pitch
            in_column = [line for line in lines if x0 - EPS <= line.x < x0 + grid.column_width]
            bottom = max((line.y + line.height for line in in_column), default=top)
            free += grid.lines_in(top + entry.lines_per_column * grid.leading - bottom + 0.05)
        over_lines, over_chars = -free, -free * grid.chars_per_line
    return StoryFit(page=entry.page.number, source=display_path(entry.article.path), title=entry.article.front.title,
                    part="continued" if entry.continued_from else "story", area=entry.area_label, columns=cols,
                    lines=capacity, over_lines=over_lines, over_chars=over_chars, jumped_chars=entry.jumped_chars,
                    continues_on=entry.continues_on if entry.jumped_chars else None,
                    continued_from=entry.continued_from)


def _photo_sizes(placed: list[Placed], prepared: dict[int, PreparedPhoto] | None, grid: Grid,
                 max_height_mm: float) -> dict[int, tuple[float, float]]:
    """The placed size of every photo: the prepared one's, or (for the fit report) from the file's header."""
    sizes: dict[int, tuple[float, float]] = {}
    for entry in placed:
        if entry.continued_from:
            continue
        for photo in entry.article.photos:
            if prepared and id(photo) in prepared:
                sizes[id(photo)] = (prepared[id(photo)].width_mm, prepared[id(photo)].height_mm)
            else:
                sizes[id(photo)] = photo_size(_pixel_size(photo.source), entry.box.width, grid, max_height_mm)
    return sizes


def photo_size(pixels: tuple[int, int], area_width: float, grid: Grid, max_height_mm: float) -> tuple[float, float]:
    """A photo's placed width and height: as wide as its story's area or, when that makes it taller
    than `max_height_mm`, the whole number of columns nearest to the width that would not (at least one)."""
    width_px, height_px = pixels
    width, height = placed_size(width_px, height_px, Placement(area_width, max_height_mm, 300))
    if width < area_width - 0.01:
        columns = max(1, round((width + grid.gap) / (grid.column_width + grid.gap)))
        width = round(columns * grid.column_width + (columns - 1) * grid.gap, 3)
        height = round(width * height_px / width_px, 3)
    return width, height


def _pixel_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
        if image.getexif().get(0x0112) in (5, 6, 7, 8):
            width, height = height, width
    return width, height


def _pages_context(manifest: LoadedManifest, grid: Grid, placed: list[Placed], photo_box: dict[int, tuple[float, float]],
                   phase: str, measuring: bool, numbers: set[int] | None, workspace: Workspace,
                   photo_src: dict[int, str] | None = None) -> dict[str, Any]:
    model = manifest.model
    date: dt.date = model.issue.date
    pages = []
    for page in sorted(model.pages, key=lambda p: p.number):
        if numbers is not None and page.number not in numbers:
            continue
        # measuring the cuts ("full") needs only the stories that jump
        stories = [_story_context(entry, grid, photo_box, phase, measuring, workspace, photo_src or {})
                   for entry in placed if entry.page is page and (phase != "full" or entry.landing is not None)]
        pages.append({"number": page.number, "label": f"第{page.number:02d}版", "name": page.name,
                      "editor": page.editor, "stories": stories})
    masthead = grid.box(grid.masthead)
    return {
        "pages": pages,
        "measuring": measuring,
        "weekday": f"星期{WEEKDAYS[date.weekday()]}",
        "page_count": len(model.pages),
        "grid": {"page_width": grid.page_width, "page_height": grid.page_height, "left": grid.left,
                 "top": grid.top, "columns": grid.columns, "column_width": round(grid.column_width, 3),
                 "gap": grid.gap, "rows": grid.rows, "leading_mm": round(grid.leading, 4),
                 "type_width": round(grid.columns * grid.column_width + (grid.columns - 1) * grid.gap, 3),
                 "type_height": round(grid.rows * grid.row_height, 3)},
        "masthead": vars(masthead),
    }


def _story_context(entry: Placed, grid: Grid, photo_box: dict[int, tuple[float, float]], phase: str,
                   measuring: bool, workspace: Workspace, photo_src: dict[int, str]) -> dict[str, Any]:
    front = entry.article.front
    photos = []
    if not entry.continued_from:
        for photo in entry.article.photos:
            width, height = photo_box[id(photo)]
            photos.append({"width": width, "height": height, "caption": photo.caption, "credit": photo.credit,
                           "src": None if measuring else photo_src.get(id(photo)) or workspace.url(photo.source)})
    body_height = entry.lines_per_column * grid.leading if entry.lines_per_column else None
    show_body = phase != "heads" and not (phase == "full" and entry.continued_from)
    blocks = entry.blocks if show_body else []
    jump_to = entry.continues_on if (phase == "final" and entry.jumped_chars) else None
    return {
        "key": entry.key,
        "rank": entry.rank,
        "headline_pt": grid.headline_pt.get(entry.rank, grid.headline_pt.get(max(grid.headline_pt), 14)),
        "box": vars(entry.box),
        "cols": entry.area.cols,
        "through": entry.area.cols == grid.columns,       # 通栏: the headline runs across the page
        "kicker": None if entry.continued_from else front.kicker,
        "title": front.title,
        "subtitle": None if entry.continued_from else front.subtitle,
        "byline": None if entry.continued_from else (entry.article.byline or None),
        "photos": photos,
        "body_top": round(entry.body_top - entry.box.y, 3) if entry.body_top is not None else None,
        "body_height": round(body_height + 0.05, 3) if body_height else None,
        "blocks": [{"id": b.id, "kind": b.kind, "text": b.text, "continued": b.continued, "cut": b.cut}
                   for b in blocks],
        "continued_from": entry.continued_from,
        "jump_to": jump_to,
        "editors": Markup(""),
    }

