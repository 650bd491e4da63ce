"""Layouts: `layouts/<name>/` with `layout.yaml`, Jinja2 templates and a stylesheet.

`layout.yaml` holds the page geometry, columns, photo placement, the fonts
(files under the workspace's `fonts/`) and free-form design tokens. Templates
(`templates/*.html.j2`) and the stylesheet (`style.css.j2`) are rendered by one
Jinja2 environment with autoescape on and StrictUndefined, so a typo in a
template is an error at its line, not an empty string in print.

A layout may build on another: `extends: <layout>` in `layout.yaml` makes the
child inherit everything of its parent (and the parent's parents). The child's
`layout.yaml` values are deep-merged over the parent's (mappings merge key by
key; lists and plain values replace), and templates and the stylesheet are
looked up in the child's folder first, then in each ancestor's, so a child
overrides just the files it has. A template can also name an ancestor's own
file as `<layout>/<file>` (`{% include "bulletin/cover.html.j2" %}`). An
unknown parent or a cycle is an error at the `extends:` line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pydantic
from markupsafe import Markup
from pydantic import Field

from .colour import PressSettings
from .errors import KmyError, Problems
from .i18n import _
from .manifest import read_text
from .photos import Placement
from .render import PART_BREAK
from .workspace import Workspace
from .yamlfile import Positions, StrictModel, load_yaml, located, validation_errors


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
    extends: str | None = Field(None, description="The layout under layouts/ this one builds on")
    page: PageGeometry
    columns: int = Field(1, ge=1, le=8)
    column_gap_mm: float = Field(8, ge=0)
    photos: PhotoSettings = PhotoSettings()
    fonts: list[FontFace] = Field(min_length=1)
    template: str = Field("issue.html.j2", description="Entry template under templates/")
    tokens: dict[str, Any] = Field(default_factory=dict, description="Design tokens for templates and CSS")
    press: PressSettings | None = Field(None, description="The printing condition (colour.PressSettings)")


_ENVIRONMENTS: dict[tuple, jinja2.Environment] = {}  # the latest last
_KEPT_ENVIRONMENTS = 8


@dataclass
class Layout:
    folder: Path
    config: LayoutConfig
    workspace: Workspace
    ancestors: tuple[Path, ...] = ()  # the folders of the layouts this one extends, nearest first

    @property
    def yaml_path(self) -> Path:
        return self.folder / "layout.yaml"

    @property
    def folders(self) -> tuple[Path, ...]:
        """This layout's folder and its ancestors', in the order files are looked up."""
        return (self.folder, *self.ancestors)

    @property
    def base_url(self) -> str:
        """Where the HTML's and stylesheet's relative URLs point: the layout's own templates/ folder
        (a workspace URL, with its slash even when a child that inherits every template has none)."""
        return self.workspace.url(self.folder) + "templates/"

    @property
    def files(self) -> list[Path]:
        """Every file of the layout and its ancestors (for checksums and the archive's list)."""
        return sorted(p for folder in self.folders for p in folder.rglob("*") if p.is_file())

    def locate_css(self, warning: str) -> tuple[Path, int] | None:
        """Where a declaration WeasyPrint ignored (``Ignored `colr: red` at 40:3, unknown property.``)
        is written: the first line of the layout's stylesheet or templates (its own, then its
        ancestors') that sets that property to that value, or else that property. WeasyPrint's
        own line counts from the start of the HTML's <style>, not from the file."""
        match = re.match(r"Ignored `([\w-]+)\s*:\s*(.*?)` at \d+:\d+", warning)
        if not match:
            return None
        prop, value = match.group(1), match.group(2).split()[0] if match.group(2).split() else ""
        setting = re.compile(rf"(?<![\w-]){re.escape(prop)}\s*:")
        files = [folder / "style.css.j2" for folder in self.folders]
        files += [p for folder in self.folders for p in sorted((folder / "templates").glob("*.j2"))]
        best: tuple[Path, int] | None = None
        for path in files:
            if not path.is_file():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if setting.search(line):
                    if value and value in line:
                        return path, number
                    best = best or (path, number)
        return best

    def with_tokens(self, overrides: dict[str, Any]) -> Layout:
        """The layout with some tokens replaced (an issue's `tokens:`), deep-merged over its own."""
        tokens = deep_merge(self.config.tokens, overrides)
        return dataclasses.replace(self, config=self.config.model_copy(update={"tokens": tokens}))

    def unknown_tokens(self, overrides: dict[str, Any]) -> dict[str, str]:
        """Override keys the layout has no token for → a hint (a close name, or the known names)."""
        known = list(self.config.tokens)
        unknown = {}
        for key in overrides:
            if key not in self.config.tokens:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
                unknown[key] = (_("did you mean '{key}'?").format(key=close[0]) if close else
                                _("its tokens: {tokens}").format(tokens=", ".join(known)))
        return unknown

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
        """The Jinja2 environment of the layout's templates: made once per process for the same
        folders holding the same files (Jinja2 then keeps each template compiled, and compiles it
        again once its file changes); a file added or removed makes a new one, as it may now be
        the one a name finds."""
        key = tuple((str(folder), tuple(sorted(str(p) for p in folder.rglob("*")))) for folder in self.folders)
        env = _ENVIRONMENTS.pop(key, None) or self._new_environment()
        _ENVIRONMENTS[key] = env
        while len(_ENVIRONMENTS) > _KEPT_ENVIRONMENTS:
            del _ENVIRONMENTS[next(iter(_ENVIRONMENTS))]
        return env

    def _new_environment(self) -> jinja2.Environment:
        def search_path(folder: Path) -> list[str]:
            return [str(folder / "templates"), str(folder)]

        own = jinja2.FileSystemLoader([p for folder in self.folders for p in search_path(folder)])
        by_layout = jinja2.PrefixLoader({folder.name: jinja2.FileSystemLoader(search_path(folder))
                                         for folder in self.folders})
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([own, by_layout]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2", "xml"),
                                                default_for_string=True, default=True),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        env.filters["cn_date"] = cn_date
        env.filters["css_string"] = css_string
        # Written just before an element that always starts a new page: the issue may be rendered in
        # parts, several at a time, cut there (render/parts.py).
        env.globals["new_part"] = Markup(PART_BREAK)
        return env


def load_layout(name: str, workspace: Workspace) -> Layout:
    """Load `layouts/<name>/layout.yaml`, merged over the layouts it extends, and check its fonts."""
    layers = _read_chain(name, workspace)
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged = deep_merge(merged, layer.data)
    child = layers[0]
    merged["extends"] = child.data.get("extends")
    if len(layers) > 1 and "name" not in child.data:
        merged["name"] = name
    _rebase_paths(merged, layers)
    problems = Problems()
    try:
        config = LayoutConfig.model_validate(merged)
    except pydantic.ValidationError as exc:
        by_owner: dict[Path, tuple[_Layer, list[Any]]] = {}
        for error in exc.errors(include_url=False):
            owner = _owner(tuple(error["loc"]), layers)
            by_owner.setdefault(owner.path, (owner, []))[1].append(error)
        for owner, errors in by_owner.values():
            for found in validation_errors(errors, LayoutConfig, owner.positions, owner.path, "layout.yaml"):
                problems.add(found)
        problems.check()
        raise AssertionError("a layout that does not validate has an error") from None  # pragma: no cover
    layout = Layout(folder=child.folder, config=config, workspace=workspace,
                    ancestors=tuple(layer.folder for layer in layers[1:]))
    for index, path in enumerate(layout.font_files()):
        if not path.is_file() or not workspace.contains(path):
            owner = _owner(("fonts", index, "file"), layers)
            line, column = owner.positions.of(("fonts", index, "file"))
            problems.add(KmyError(located(("fonts", index, "file"), _(
                "font not found in the workspace's fonts/ folder: {file}").format(file=config.fonts[index].file)),
                owner.path, line, column))
    problems.check()
    return layout


# Values of layout.yaml that are file paths relative to the layout folder that declares them.
PATH_KEYS: tuple[tuple[str, ...], ...] = (("press", "profile"),)


def _rebase_paths(merged: dict[str, Any], layers: list[_Layer]) -> None:
    """Make an inherited relative path relative to the child's folder (`../bulletin/profiles/x.icc`),
    so that code and stylesheets that resolve it against the child's folder find the ancestor's file."""
    child = layers[0]
    for keys in PATH_KEYS:
        owner = next((layer for layer in layers if _lookup(layer.data, keys) is not None), None)
        value = _lookup(merged, keys)
        if owner is None or owner is child or not isinstance(value, str) or Path(value).is_absolute():
            continue
        parent: Any = merged
        for key in keys[:-1]:
            parent = parent[key]
        parent[keys[-1]] = Path(os.path.relpath(owner.folder / value, child.folder)).as_posix()


def _lookup(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def layout_names(workspace: Workspace) -> list[str]:
    """The layouts of a workspace: the folders under layouts/ that hold a layout.yaml."""
    if not workspace.layouts_dir.is_dir():
        return []
    return sorted(p.name for p in workspace.layouts_dir.iterdir() if (p / "layout.yaml").is_file())


def list_layouts(workspace: Workspace) -> list[Layout | KmyError]:
    """Every layout of the workspace, loaded; a layout that does not load is listed by its error."""
    found: list[Layout | KmyError] = []
    for name in layout_names(workspace):
        try:
            found.append(load_layout(name, workspace))
        except KmyError as exc:
            found.append(exc)
    return found


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` laid on `base`: mappings merge key by key, anything else in `over` replaces."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class _Layer:
    """One layout.yaml as read: its folder, file, data and where each value sits."""

    folder: Path
    data: dict[str, Any]
    positions: Positions

    @property
    def path(self) -> Path:
        return self.folder / "layout.yaml"


def _read_chain(name: str, workspace: Workspace) -> list[_Layer]:
    """The layout `name` and every layout it extends, child first."""
    layers: list[_Layer] = []
    folder = _layout_folder(name, workspace, None)
    while True:
        layer = _read_layer(folder)
        layers.append(layer)
        parent = layer.data.get("extends")
        if parent is None:
            return layers
        line, column = layer.positions.of(("extends",))
        if not isinstance(parent, str) or not parent.strip():
            raise KmyError(located("extends", _("give the name of a layout under layouts/, e.g. extends: "
                                                "bulletin")), layer.path, line, column)
        parent = parent.strip()
        chain = [x.folder.name for x in layers]
        if parent in chain:
            cycle = " → ".join(chain[chain.index(parent):] + [parent])
            raise KmyError(located("extends", _("the layouts extend each other in a cycle ({cycle}); let one of "
                                                "them extend none").format(cycle=cycle)), layer.path, line, column)
        folder = _layout_folder(parent, workspace, (layer.path, line, column))


def _layout_folder(name: str, workspace: Workspace, where: tuple[Path, int | None, int | None] | None) -> Path:
    """The folder of layout `name`; `where` is the `extends:` that names it, if one does."""
    def at_extends(message: str) -> str:
        return located("extends", message) if where else message

    if not re.fullmatch(r"[\w][\w.-]*", name):
        raise KmyError(at_extends(_("layout '{name}' is not a folder name; give the name of a folder under "
                                    "layouts/").format(name=name)), *(where or ()))
    folder = workspace.layouts_dir / name
    yaml_path = folder / "layout.yaml"
    if not yaml_path.is_file():
        available = layout_names(workspace)
        raise KmyError(at_extends(_("layout '{name}' not found (no {path}); available layouts: {layouts}").format(
            name=name, path=yaml_path.relative_to(workspace.root), layouts=", ".join(available) or _("none"))),
            *(where or ()))
    return folder


def _read_layer(folder: Path) -> _Layer:
    path = folder / "layout.yaml"
    data, positions = load_yaml(read_text(path), path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise KmyError(_("layout.yaml must be a mapping of keys (name, page, fonts, …)"), path, 1, 1)
    return _Layer(folder=folder, data=data, positions=positions)


def _owner(loc: tuple[str | int, ...], layers: list[_Layer]) -> _Layer:
    """The layer whose layout.yaml holds `loc` (the child's, when it sets it): that file is reported."""
    def depth(data: Any) -> int:
        found = 0
        for part in loc:
            if isinstance(data, dict) and part in data:
                data = data[part]
            elif isinstance(data, list) and isinstance(part, int) and part < len(data):
                data = data[part]
            else:
                continue  # pydantic's union markers, or a key that is missing here
            found += 1
        return found

    best = max(depth(layer.data) for layer in layers)
    return next(layer for layer in layers if depth(layer.data) == best)


def render_template(layout: Layout, name: str, context: dict[str, Any]) -> str:
    """Render one template of the layout; template mistakes become `KmyError` at their line."""
    env = layout.environment()
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise KmyError(_("template syntax error: {error}").format(error=exc.message),
                       _template_path(layout, exc.filename, name), exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        looked = ", ".join(f"{folder.name}/templates/" for folder in layout.folders)
        raise KmyError(_("template not found: {name} (looked in {looked})").format(name=exc.name, looked=looked),
                       layout.yaml_path) from None
    except (jinja2.UndefinedError, TypeError, ValueError, AttributeError, KeyError) as exc:
        filename, lineno = _template_frame(exc)
        raise KmyError(_("template error: {error}; check the names used on this line").format(error=exc),
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
