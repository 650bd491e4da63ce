"""Composers: how an issue's articles become the HTML its layout renders.

The pipeline (`build.py`) asks the composer of a manifest three things and never
branches on which one it has:

- `placement_for(...)`: the box each photo is prepared for;
- `compose(...)`: the HTML of the issue (and warnings);
- `rendered(measures)`: a check of the render (`measure_render` asks the render to measure
  where its boxes and lines fell); it raises a `KmyError` or returns warnings;
- `outputs(pdf, target)`: any files written beside the PDF.

`FlowComposer` runs the articles one after another through the layout's templates
(the bulletin). A manifest that lists `pages` is a newspaper, set on the layout's grid
by `kmyreport.newspaper`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .articles import Article, PhotoRef
from .editions import Edition
from .layouts import Layout, render_template
from .manifest import LoadedManifest
from .photos import Placement, PreparedPhoto
from .present import issue_context
from .workspace import Workspace


@dataclass
class Composed:
    html: str
    warnings: list[str] = field(default_factory=list)


class Composer(Protocol):
    name: str
    measure_render: bool

    def placement_for(self, manifest: LoadedManifest, layout: Layout, articles: list[Article],
                      placement: Placement) -> Callable[[PhotoRef], Placement]: ...

    def compose(self, manifest: LoadedManifest, layout: Layout, edition: Edition, articles: list[Article],
                prepared: dict[int, PreparedPhoto], workspace: Workspace) -> Composed: ...

    def rendered(self, measures: list | None) -> list[str]: ...

    def outputs(self, pdf: bytes, target: Path) -> list[Path]: ...


class FlowComposer:
    """Articles one after another, through the layout's entry template."""

    name = "flow"
    measure_render = False

    def placement_for(self, manifest: LoadedManifest, layout: Layout, articles: list[Article],
                      placement: Placement) -> Callable[[PhotoRef], Placement]:
        return lambda photo: placement

    def compose(self, manifest: LoadedManifest, layout: Layout, edition: Edition, articles: list[Article],
                prepared: dict[int, PreparedPhoto], workspace: Workspace) -> Composed:
        context = issue_context(manifest, layout, edition, articles, prepared, workspace)
        return Composed(render_template(layout, layout.config.template, context))

    def rendered(self, measures: list | None) -> list[str]:
        return []

    def outputs(self, pdf: bytes, target: Path) -> list[Path]:
        return []


def composer_for(manifest: LoadedManifest, *, overflow: str = "error") -> Composer:
    """The composer of an issue: a newspaper's when its manifest lists `pages`.

    `overflow` says what a story that does not fit its area is: an "error" or a "warn"ing."""
    if manifest.model.pages:
        from .newspaper.compose import NewspaperComposer

        return NewspaperComposer(overflow)
    return FlowComposer()
