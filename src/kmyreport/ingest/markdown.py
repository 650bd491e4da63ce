"""Step 5: write the front matter (YAML) and the body as CommonMark, escaping what would be markup."""

from __future__ import annotations

import re

import yaml

from ..articles import FrontMatter
from .model import Block, Recognised

_ENTITY_RE = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_INLINE_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>~|])")
_BLOCK_START_RE = re.compile(r"^([#>+=\-]|\d{1,9}(?=[.)]))")


def escape_inline(text: str) -> str:
    """Backslash-escape what CommonMark would read as inline markup."""
    return _ENTITY_RE.sub(r"\\&", _INLINE_SPECIAL_RE.sub(r"\\\1", text))


def escape_paragraph(text: str) -> str:
    """Inline escapes plus whatever would start a block (`#`, `>`, `-`, `1.` …)."""
    escaped = escape_inline(text)
    match = _BLOCK_START_RE.match(escaped)
    if not match:
        return escaped
    if match.group(1)[0].isdigit():
        end = match.end()
        return escaped[:end] + "\\" + escaped[end:]
    return "\\" + escaped


def escape_heading(text: str) -> str:
    return escape_inline(text).replace("#", "\\#")


def escape_title_attribute(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return _ENTITY_RE.sub(r"\\&", escaped)


def photo_destination(path: str) -> str:
    if re.search(r"[\s()<>]", path):
        return "<" + path.replace("<", "\\<").replace(">", "\\>") + ">"
    return path


def render_block(block: Block) -> str:
    if block.kind == "heading":
        return "## " + escape_heading(block.text)
    if block.kind == "photo":
        title = f' "{escape_title_attribute(block.credit)}"' if block.credit else ""
        return f"![{escape_inline(block.text)}]({photo_destination(block.path)}{title})"
    if block.kind == "note":  # 编者按, 编后: a blockquote, which the layout styles as a note
        return "> " + escape_paragraph(block.text)
    return escape_paragraph(block.text)


def build_front_matter(found: Recognised, title: str | None) -> dict:
    """The compiler's `FrontMatter`, dumped for YAML: the keys in the model's order, only those the
    copy gave (`authors` always, every author with name, role and org), dates as ISO strings."""
    given: dict = {"title": title if title is not None else (found.title or ""), "authors": found.authors}
    if found.kicker:
        given["kicker"] = found.kicker
    if found.subtitle:
        given["subtitle"] = found.subtitle
    if found.bylines:
        given["byline"] = " ".join(found.bylines)
    elif found.authors_in_text:
        given["byline"] = False  # the copy prints its byline in the text: do not print it twice
    if found.origin:
        given["origin"] = found.origin
    if found.editors:
        given["editors"] = found.editors
    # Unchecked (`model_construct`, see `model`): with no title in the copy the title is written
    # empty for the editor to fill in, which `FrontMatter` refuses; the compiler goes on refusing it.
    front = FrontMatter.model_construct(**given)
    return front.model_dump(mode="json", exclude_unset=True)


def render_article(front_matter: dict, blocks: list[Block]) -> str:
    header = yaml.safe_dump(
        front_matter, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )
    parts: list[str] = []
    for index, block in enumerate(blocks):
        if index and block.kind == "note" and blocks[index - 1].kind == "note":
            parts[-1] += "\n>\n" + render_block(block)  # one note, several paragraphs
        else:
            parts.append(render_block(block))
    body = "\n\n".join(parts)
    return f"---\n{header}---\n\n{body}\n" if body else f"---\n{header}---\n"
