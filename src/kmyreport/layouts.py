"""Layouts: `layouts/<name>/` with `layout.yaml`, Jinja2 templates and a stylesheet.

`layout.yaml` holds the page geometry, columns, photo placement, the fonts
(files under the workspace's `fonts/`) and free-form design tokens. Templates
(`templates/*.html.j2`) and the stylesheet (`style.css.j2`) are rendered by one
Jinja2 environment with autoescape on and StrictUndefined, so a typo in a
template is an error at its line, not an empty string in print.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import Field

from .errors import KmyError
from .manifest import read_text
from .photos import Placement
from .workspace import Workspace
from .yamlfile import StrictModel, load_model


class Margins(StrictModel):
    top: float = Field(gt=0)
    bottom: float = Field(gt=0)
    inside: float = Field(gt=0)
    outside: float = Field(gt=0)


class PageGeometry(StrictModel):
    width_mm: float = Field(gt=0)
    height_mm: float = Field(gt=0)
    margins_mm: Margins


class PhotoSettings(StrictModel):
    ppi: int = Field(300, ge=72, le=1200, description="Target resolution of placed photos")
    max_height_mm: float = Field(120, gt=0, description="Tallest a photo may be placed")


class FontFace(StrictModel):
    family: str
    file: str = Field(description="File name under the workspace's fonts/ folder")
    weight: int = 400
    style: str = "normal"


class LayoutConfig(StrictModel):
    name: str
    description: str = ""
    page: PageGeometry
    columns: int = Field(1, ge=1, le=6)
    column_gap_mm: float = Field(8, ge=0)
    photos: PhotoSettings = PhotoSettings()
    fonts: list[FontFace] = Field(min_length=1)
    template: str = Field("issue.html.j2", description="Entry template under templates/")
    tokens: dict[str, Any] = Field(default_factory=dict, description="Design tokens for templates and CSS")


@dataclass
class Layout:
    folder: Path
    config: LayoutConfig
    workspace: Workspace

    @property
    def yaml_path(self) -> Path:
        return self.folder / "layout.yaml"

    @property
    def column_width_mm(self) -> float:
        page, margins = self.config.page, self.config.page.margins_mm
        text_width = page.width_mm - margins.inside - margins.outside
        gaps = (self.config.columns - 1) * self.config.column_gap_mm
        return (text_width - gaps) / self.config.columns

    @property
    def photo_placement(self) -> Placement:
        return Placement(max_width_mm=round(self.column_width_mm, 3),
                         max_height_mm=self.config.photos.max_height_mm, ppi=self.config.photos.ppi)

    def font_files(self) -> list[Path]:
        return [self.workspace.fonts_dir / face.file for face in self.config.fonts]

    def font_face_css(self) -> str:
        """`@font-face` rules loading the layout's fonts from the workspace."""
        rules = []
        for face, path in zip(self.config.fonts, self.font_files()):
            rules.append(f"@font-face {{ font-family: {css_string(face.family)}; "
                         f"src: url({css_string(self.workspace.url(path))}); "
                         f"font-weight: {face.weight}; font-style: {face.style}; }}")
        return "\n".join(rules)

    def environment(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(self.folder / "templates"), str(self.folder)]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2", "xml"),
                                                default_for_string=True, default=True),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        env.filters["cn_date"] = cn_date
        env.filters["css_string"] = css_string
        return env


def load_layout(name: str, workspace: Workspace) -> Layout:
    if not re.fullmatch(r"[\w][\w.-]*", name):
        raise KmyError(f"layout '{name}' is not a folder name; give the name of a folder under layouts/")
    folder = workspace.layouts_dir / name
    yaml_path = folder / "layout.yaml"
    if not yaml_path.is_file():
        available = sorted(p.name for p in workspace.layouts_dir.iterdir() if (p / "layout.yaml").is_file())
        raise KmyError(f"layout '{name}' not found (no {yaml_path.relative_to(workspace.root)}); "
                       f"available layouts: {', '.join(available) or 'none'}")
    config, positions = load_model(read_text(yaml_path), yaml_path, LayoutConfig, "layout.yaml",
                                   "name, page, fonts, …")
    layout = Layout(folder=folder, config=config, workspace=workspace)
    for index, path in enumerate(layout.font_files()):
        if not path.is_file() or not workspace.contains(path):
            line, column = positions.of(("fonts", index, "file"))
            raise KmyError(f"fonts[{index}].file: font not found in the workspace's fonts/ folder: "
                           f"{config.fonts[index].file}", yaml_path, line, column)
    return layout


def render_template(layout: Layout, name: str, context: dict[str, Any]) -> str:
    """Render one template of the layout; template mistakes become `KmyError` at their line."""
    env = layout.environment()
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise KmyError(f"template syntax error: {exc.message}", _template_path(layout, exc.filename, name),
                       exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise KmyError(f"template not found: {exc.name} (looked in {layout.folder.name}/templates/)",
                       layout.yaml_path) from None
    except (jinja2.UndefinedError, TypeError, ValueError, AttributeError, KeyError) as exc:
        filename, lineno = _template_frame(exc)
        raise KmyError(f"template error: {exc}; check the names used on this line",
                       _template_path(layout, filename, name), lineno) from None


def _template_path(layout: Layout, filename: str | None, fallback: str) -> Path:
    if filename:
        return Path(filename)
    return layout.folder / "templates" / fallback


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback (Jinja2 rewrites frames to templates)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".css")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def cn_date(value: dt.date) -> str:
    """2024-07-20 → 2024年7月20日."""
    return f"{value.year}年{value.month}月{value.day}日"


def css_string(value: str) -> Markup:
    """A CSS string literal (double-quoted, escaped) safe to place in a stylesheet."""
    escaped = (str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
               .replace("<", "\\3c ").replace(">", "\\3e "))
    return Markup(f'"{escaped}"')
