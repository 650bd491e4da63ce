"""The layout's grid in millimetres: columns and gutters, rows of baseline lines, named slots.

A newspaper layout's `layout.yaml` gives the page, the margins (the type area), `columns`
and `column_gap_mm`; its tokens give the body size and leading (`body_size_pt`,
`leading_pt`), how many body lines make one row of the grid (`row_lines`), the masthead's
area on 第01版 (`masthead`) and named slots (`slots`, e.g. 报眼). Rows are whole numbers of
body lines, so every story's body sits on one baseline grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pydantic
from pydantic import Field

from ..errors import KmyError
from ..i18n import _
from ..layouts import Layout
from ..yamlfile import StrictModel
from .model import Area

PT_MM = 25.4 / 72


class GridTokens(pydantic.BaseModel):
    """The tokens of a newspaper layout the composer reads (other tokens are for the stylesheet)."""

    model_config = pydantic.ConfigDict(extra="allow")
    body_size_pt: float = Field(gt=0)
    leading_pt: float = Field(gt=0)
    row_lines: int = Field(ge=1)
    masthead: Area
    slots: dict[str, Area] = Field(default_factory=dict)
    headline_pt: dict[int, float]


class _Check(StrictModel):
    tokens: GridTokens


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in mm from the trimmed page's top left corner."""

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
class Grid:
    page_width: float
    page_height: float
    left: float
    top: float
    columns: int
    column_width: float
    gap: float
    rows: int
    leading: float        # mm per body line
    row_lines: int
    body_size_pt: float
    masthead: Area
    slots: dict[str, Area]
    headline_pt: dict[int, float]

    @property
    def row_height(self) -> float:
        return self.row_lines * self.leading

    @property
    def chars_per_line(self) -> int:
        """Body characters (字) on one line of one column."""
        return int(self.column_width / (self.body_size_pt * PT_MM) + 1e-6)

    def box(self, area: Area) -> Box:
        x = self.left + (area.col - 1) * (self.column_width + self.gap)
        y = self.top + (area.row - 1) * self.row_height
        return Box(round(x, 3), round(y, 3), round(area.cols * self.column_width + (area.cols - 1) * self.gap, 3),
                   round(area.rows * self.row_height, 3))

    def contains(self, area: Area) -> bool:
        return area.col + area.cols - 1 <= self.columns and area.row + area.rows - 1 <= self.rows

    def lines_in(self, height_mm: float) -> int:
        return int(height_mm / self.leading + 1e-6)


def grid_of(layout: Layout) -> Grid:
    """The grid of a newspaper layout, or an error naming the layout file when it has none."""
    try:
        tokens = _Check.model_validate({"tokens": layout.config.tokens}).tokens
    except pydantic.ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise KmyError(_("{key}: {problem}; a newspaper layout's tokens give body_size_pt, leading_pt, row_lines, "
                         "masthead, slots and headline_pt (see layouts/newspaper/layout.yaml)").format(
            key=where, problem=first["msg"]), layout.yaml_path) from None
    config = layout.config
    margins = config.page.margins_mm
    width = config.page.width_mm - margins.inside - margins.outside
    column_width = (width - (config.columns - 1) * config.column_gap_mm) / config.columns
    leading = tokens.leading_pt * PT_MM
    rows = math.floor((config.page.height_mm - margins.top - margins.bottom) / (tokens.row_lines * leading) + 1e-6)
    return Grid(page_width=config.page.width_mm, page_height=config.page.height_mm, left=margins.inside,
                top=margins.top, columns=config.columns, column_width=column_width, gap=config.column_gap_mm,
                rows=rows, leading=leading, row_lines=tokens.row_lines, body_size_pt=tokens.body_size_pt,
                masthead=tokens.masthead, slots=dict(tokens.slots), headline_pt=dict(tokens.headline_pt))


def to_css_mm(value: Any) -> str:
    return f"{round(float(value), 3)}mm"
