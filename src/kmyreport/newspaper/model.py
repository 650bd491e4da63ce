"""What a newspaper issue's manifest says about its pages (版) and stories.

```yaml
pages:
  - number: 1                 # 第01版
    name: 要闻
    editor: 王若惟             # 责任编辑
    stories:
      - source: articles/01-lead.md
        area: {col: 1, cols: 6, row: 3, rows: 5}   # on the layout's grid, 1-based
        rank: 1                                     # 1 = lead (头条) … 4
        continue: 3                                 # what does not fit goes on to 第03版
      - source: articles/02-brief.md
        area: 报眼                                  # a named slot of the layout
        rank: 3
  - number: 3
    stories:
      - source: articles/01-lead.md                 # the same source again: where the jump lands
        area: {col: 1, cols: 2, row: 8, rows: 4}
```

These models only say what may be written; the composer checks the pages against the
layout's grid (areas inside the page, no overlaps, jumps that land somewhere).
"""

from __future__ import annotations

from pydantic import Field

from ..yamlfile import StrictModel


class Area(StrictModel):
    """A rectangle of the grid: columns `col` … `col + cols - 1`, rows `row` … `row + rows - 1`."""

    col: int = Field(ge=1, description="The first column, counted from the left, 1-based")
    cols: int = Field(ge=1, description="How many columns the story spans")
    row: int = Field(ge=1, description="The first row of the grid, counted from the top, 1-based")
    rows: int = Field(ge=1, description="How many rows of the grid the story takes")


class Story(StrictModel):
    source: str = Field(min_length=1, description="The article source, relative to the manifest")
    area: Area | str = Field(description="Where on the page: {col, cols, row, rows} or a slot name, e.g. 报眼")
    rank: int = Field(3, ge=1, le=4, description="1 = the lead story (头条); sets the headline size")
    continue_: int | None = Field(None, alias="continue", ge=1,
                                  description="The page the text that does not fit continues on (下转第N版)")


class NewsPage(StrictModel):
    number: int = Field(ge=1, description="The page number, printed as 第01版")
    name: str = Field(min_length=1, description="The page's name, e.g. 要闻, 综合, 专题")
    editor: str = Field(min_length=1, description="The page's 责任编辑")
    stories: list[Story] = Field(default_factory=list)
