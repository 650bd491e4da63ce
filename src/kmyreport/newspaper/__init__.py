"""The newspaper: 版面 on a column grid, stories in their areas, overflow counted in 字, jumps.

- `model`: what a newspaper manifest says about its pages (版) and stories;
- `grid`: the layout's column grid in millimetres (columns, rows, baseline, named slots);
- `story`: an article's text as blocks the composer can split, and counting 字;
- `compose`: sets each story into its area, measures the fit (through `render.measure`),
  splits the jumps and builds the template context; the fit report;
- `pages`: one single-page PDF per 版 beside the whole issue.

The pipeline reaches it through `kmyreport.compose` (a manifest with `pages` is composed
here); `render.measure` is the only part that touches the layout engine.
"""
