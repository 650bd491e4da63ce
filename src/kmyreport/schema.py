"""JSON Schemas of the files people write, generated from the models that check them.

`kmyreport schema` writes three schemas (JSON Schema draft 7) into `schemas/`:

- `issue.schema.json` for `sources/<id>/issue.yaml` (`manifest.Manifest`);
- `article.schema.json` for an article's front matter (`articles.FrontMatter`);
- `layout.schema.json` for `layouts/<name>/layout.yaml` (`layouts.LayoutConfig`).

They come from pydantic's `model_json_schema()`, so they list exactly the keys the models
accept (`additionalProperties: false` wherever a model forbids others) with the models'
descriptions; this module adds what the models say in code rather than in fields: a manifest
needs `sections` or `pages`, and a layout that `extends` another may leave out what it
inherits (kmyreport checks the merged layout). Editors (VS Code with the YAML extension, any
editor with yaml-language-server) use them to complete keys and underline mistakes as they
type; `kmyreport check` remains the judge.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

DIALECT = "http://json-schema.org/draft-07/schema#"  # what yaml-language-server (VS Code's YAML) supports


@dataclass(frozen=True)
class SchemaFile:
    name: str          # file name under schemas/
    title: str
    description: str
    files: str         # which files it describes (glob, relative to the workspace)


ISSUE = SchemaFile("issue.schema.json", "kmyreport issue manifest",
                   "sources/<id>/issue.yaml: the publication, the issue, its layout and its articles "
                   "(sections for a bulletin, pages for a newspaper).", "sources/*/issue.yaml")
ARTICLE = SchemaFile("article.schema.json", "kmyreport article front matter",
                     "The YAML between the two --- lines at the top of an article source "
                     "(sources/<id>/articles/*.md).", "sources/*/articles/*.md")
LAYOUT = SchemaFile("layout.schema.json", "kmyreport layout",
                    "layouts/<name>/layout.yaml: page geometry, columns, photos, fonts, design tokens and "
                    "the printing condition. A layout that extends another gives only what it changes.",
                    "layouts/*/layout.yaml")
SCHEMAS = (ISSUE, ARTICLE, LAYOUT)

#: Descriptions for the fields and models whose code does not carry one (shown on hover).
MORE_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Manifest": {"": "An issue of a publication.",
                 "publication": "The publication: its name (printed in the masthead) and publisher.",
                 "issue": "This issue: number, date, and optionally volume, title and id.",
                 "keywords": "Keywords for the PDF's metadata, e.g. [克拉玛依, CCUS]",
                 "sections": "A bulletin's sections, in issue order, each listing its articles."},
    "Publication": {"": "The publication the issue belongs to."},
    "IssueInfo": {"": "The issue's number, date and optional volume, title and id."},
    "Section": {"": "One section of a bulletin: an optional title and its articles."},
    "NewsPage": {"": "One page (版) of a newspaper with its stories.",
                 "stories": "The stories on this page, each placed on the layout's grid."},
    "Story": {"": "One story on a newspaper page."},
    "FrontMatter": {"": "The front matter of an article source.",
                    "kicker": "The 引题 printed above the title",
                    "subtitle": "The 副题 printed after ——",
                    "authors": "The authors, in byline order: name, role (记者, 通讯员…) and organisation",
                    "origin": "Where the piece first ran; prints （本文原载于…） at the end",
                    "editors": "Role → name, printed at the end, e.g. 责任编辑: 陈丽"},
    "Author": {"": "One author of an article.", "name": "The author's name as printed"},
    "Origin": {"": "Where an article first ran.", "date": "The date it ran, YYYY-MM-DD"},
    "LayoutConfig": {"": "A layout's settings.",
                     "name": "The layout's name: the name of its folder under layouts/",
                     "description": "One line on what the layout is for (kmyreport layouts lists it)",
                     "page": "The page size (the trim) and the margins, in millimetres",
                     "columns": "Text columns on the page",
                     "column_gap_mm": "Space between columns, in millimetres",
                     "photos": "How photos are placed",
                     "fonts": "The font files (under fonts/) and the families they are loaded as"},
    "PageGeometry": {"": "The page's size (the trim) and margins, in millimetres."},
    "Margins": {"": "Page margins in millimetres; inside is the binding side."},
    "PhotoSettings": {"": "Photo placement."},
    "FontFace": {"": "One font file loaded with @font-face.",
                 "family": "The CSS font-family name the layout uses",
                 "weight": "The CSS font-weight, e.g. 400 or 700",
                 "style": "The CSS font-style, e.g. normal"},
}


def generate(spec: SchemaFile) -> dict[str, Any]:
    """The JSON Schema of one kind of file, as a dict."""
    from .articles import FrontMatter
    from .layouts import LayoutConfig
    from .manifest import Manifest

    model: type[BaseModel] = {ISSUE.name: Manifest, ARTICLE.name: FrontMatter, LAYOUT.name: LayoutConfig}[spec.name]
    body = model.model_json_schema(by_alias=True, mode="validation")
    _describe(body, model.__name__)
    for name, definition in body.get("$defs", {}).items():
        _describe(definition, name)
    if spec is ISSUE:  # Manifest._sections_or_pages
        body["anyOf"] = [{"required": ["sections"]}, {"required": ["pages"]}]
    if spec is LAYOUT:  # a layout that extends another is merged over it before it is checked
        body = _inheritable(body)
    head = {"$schema": DIALECT, "title": spec.title, "description": spec.description}
    body.pop("title", None)
    body.pop("description", None)
    return head | body


def _describe(schema: dict[str, Any], model_name: str) -> None:
    extra = MORE_DESCRIPTIONS.get(model_name, {})
    if "" in extra and "description" not in schema:
        schema["description"] = extra[""]
    for field, text in extra.items():
        prop = schema.get("properties", {}).get(field)
        if field and prop is not None and "description" not in prop:
            prop["description"] = text


def _inheritable(body: dict[str, Any]) -> dict[str, Any]:
    """A layout schema whose required keys apply only to a layout that extends none: a child gives
    just what it changes (mappings merge key by key), so nothing inside it is required."""
    body = copy.deepcopy(body)
    required = body.pop("required", [])
    for definition in body.get("$defs", {}).values():
        definition.pop("required", None)
    body["if"] = {"not": {"required": ["extends"]}}
    body["then"] = {"required": required}
    return body


def schema_text(spec: SchemaFile) -> str:
    """The schema file's exact text: stable key order, UTF-8 characters, a final newline."""
    return json.dumps(generate(spec), ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[tuple[Path, bool]]:
    """Write every schema into `folder` (made if needed); `(path, changed)` for each."""
    from .files import write_bytes_atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in SCHEMAS:
        path = folder / spec.name
        text = schema_text(spec)
        changed = not path.is_file() or path.read_text(encoding="utf-8") != text
        if changed:
            write_bytes_atomic(path, text.encode("utf-8"))
        written.append((path, changed))
    return written


def stale_schemas(folder: Path) -> list[Path]:
    """The schema files in `folder` that are missing or differ from the models."""
    return [folder / spec.name for spec in SCHEMAS
            if not (folder / spec.name).is_file()
            or (folder / spec.name).read_text(encoding="utf-8") != schema_text(spec)]


def modeline(schema: Path, yaml_file: Path) -> str:
    """The first line that points yaml-language-server at `schema` from `yaml_file`."""
    import os

    relative = Path(os.path.relpath(schema.resolve(), yaml_file.resolve().parent)).as_posix()
    return f"# yaml-language-server: $schema={relative}"
