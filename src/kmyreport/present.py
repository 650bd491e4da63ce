"""Presentation: the data a layout's templates receive, and the HTML of article bodies.

This is the one place that shapes the issue for layouts. Templates never see
files or models directly: `issue_context` gives them plain values (the
publication, the issue, sections of articles with their body HTML, document
metadata, the edition's variables and the layout's stylesheet), and
`body_html` turns an article's Markdown into paragraphs, section heads and
figures with caption and credit.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from urllib.parse import urlsplit

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup

from . import __version__
from .articles import MARKDOWN, URL_SCHEME, Article, PhotoRef
from .colour import tokens_for
from .editions import Edition
from .layouts import Layout, cn_date, render_template
from .manifest import LoadedManifest, source_date_epoch
from .photos import PreparedPhoto
from .render.urlbreak import break_urls
from .workspace import Workspace

LINK_SCHEMES = ("http", "https", "mailto")  # links with other schemes print as text, without an href


def issue_context(manifest: LoadedManifest, layout: Layout, edition: Edition, articles: list[Article],
                  prepared: dict[int, PreparedPhoto], workspace: Workspace) -> dict[str, Any]:
    """The data a layout's templates receive (documented in the README's layout section)."""
    model = manifest.model
    by_path = {a.path: a for a in articles}
    sections = []
    for section in model.sections:
        items = []
        for rel in section.articles:
            article = by_path[(manifest.folder / rel).resolve()]
            items.append(article_context(article, prepared, workspace, source=rel,
                                         url_breaks=layout.config.tokens.get("url_breaks", "safe") != "none"))
        sections.append({"title": section.title, "articles": items})
    authors = list(dict.fromkeys(a.name for art in articles for a in art.front.authors))
    title = f"{model.publication.name} 第{model.issue.number}期"
    if model.issue.title:
        title += f" {model.issue.title}"
    edition_vars = edition.context()
    tokens = tokens_for(layout.config, edition_vars["colour_space"])  # CMYK editions: device-cmyk() colours
    return {
        "publication": model.publication.model_dump(),
        "issue": model.issue.model_dump() | {"id": manifest.issue_id},
        "editors": model.editors,
        "keywords": model.keywords,
        "sections": sections,
        "document": {
            "title": title,
            "authors": authors,
            "language": "zh-CN",
            "created": model.issue.date.isoformat(),
            "modified": _modified_date(model.issue.date),
            "generator": f"kmyreport {__version__}",
        },
        "running_head": f"{model.publication.name} · 第{model.issue.number}期",
        "layout": layout.config.model_dump(),
        "tokens": tokens,
        "edition": edition_vars,
        "font_face_css": Markup(layout.font_face_css()),
        "stylesheet": Markup(render_template(layout, "style.css.j2", {
            "layout": layout.config.model_dump(), "tokens": tokens,
            "column_width_mm": layout.column_width_mm, "edition": edition_vars})),
    }


def article_context(article: Article, prepared: dict[int, PreparedPhoto], workspace: Workspace,
                    source: str | None = None, url_breaks: bool = True) -> dict[str, Any]:
    """`source`: the article's file as the issue names it (`articles/x.md`), for `data-src`; `url_breaks`:
    URLs may break at safe points (`render.urlbreak`)."""
    front = article.front
    return {
        "anchor": article.anchor,
        "title": front.title,
        "kicker": front.kicker,
        "subtitle": front.subtitle,
        "byline": article.byline,
        "authors": [a.model_dump() for a in front.authors],
        "origin": front.origin.model_dump() if front.origin else None,
        "origin_note": origin_note(article),
        "editors": front.editors,
        "body": Markup(body_html(article, prepared, workspace, source, url_breaks)),
        "source": article.path.name,
    }


def origin_note(article: Article) -> str | None:
    """本文原载于… printed at the article's end, unless the copy already carries the note."""
    origin = article.front.origin
    if origin is None:
        return None
    body_text = "".join(t.content for t in article.tokens if t.type == "inline")
    if "原载" in body_text:
        return None
    when = cn_date(origin.date) if origin.date else ""
    page = f"第{origin.page}版" if isinstance(origin.page, int) else (origin.page or "")
    return f"（本文原载于{when}《{origin.publication}》{page}）"


def _modified_date(issue_date: dt.date) -> str:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the issue date; never the clock."""
    stamp = source_date_epoch()
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else issue_date.isoformat()


class _BodyRenderer(RendererHTML):
    """CommonMark HTML, except that photos become figures with caption and credit."""

    def image(self, tokens: list[Token], idx: int, options: OptionsDict, env: dict) -> str:
        photo: PhotoRef = tokens[idx].meta["photo"]
        placed: PreparedPhoto = env["prepared"][id(photo)]
        caption = f'<span class="caption">{escape(photo.caption)}</span>' if photo.caption else ""
        credit = f'<span class="credit">{escape(photo.credit)}</span>' if photo.credit else ""
        size = f"width: {placed.width_mm}mm; height: {placed.height_mm}mm"
        return (f'<figure class="photo" style="width: {placed.width_mm}mm">'
                f'<img src="{escape(env["workspace"].url(placed.path))}" alt="{escape(photo.caption)}" '
                f'style="{size}"><figcaption>{caption}{credit}</figcaption></figure>\n')

    def text(self, tokens: list[Token], idx: int, options: OptionsDict, env: dict) -> str:
        content = tokens[idx].content
        return escapeHtml(break_urls(content) if env.get("url_breaks") else content)

    def paragraph_open(self, tokens: list[Token], idx: int, options: OptionsDict, env: dict) -> str:
        """A paragraph carries its source line (`data-src="articles/x.md:12"`): the typography names
        it in its report of a line it cannot justify."""
        token = tokens[idx]
        if token.map and not token.hidden:
            token.attrSet("data-src", f"{env['source']}:{token.map[0] + 1}")
        return self.renderToken(tokens, idx, options, env)

    def link_open(self, tokens: list[Token], idx: int, options: OptionsDict, env: dict) -> str:
        href = str(tokens[idx].attrs.get("href", ""))
        if URL_SCHEME.match(href) and urlsplit(href).scheme.lower() not in LINK_SCHEMES:
            tokens[idx].attrs.pop("href", None)
        return self.renderToken(tokens, idx, options, env)


_RENDERER = _BodyRenderer()


def body_html(article: Article, prepared: dict[int, PreparedPhoto], workspace: Workspace,
              source: str | None = None, url_breaks: bool = True) -> str:
    """The article body as HTML: paragraphs (with their source line, `data-src`), section heads and
    photos as figures. `source` names the article's file (default: its file name); with `url_breaks`,
    URLs in the text may break at safe points (`render.urlbreak`).

    `prepared` maps `id(photo_ref)` to the photo prepared for the page. Photos are placed at
    the size they were prepared for, so the page and the prepared pixels agree.
    """
    tokens = article.tokens
    for index, token in enumerate(tokens):
        if token.type == "inline" and _only_images(token) and tokens[index - 1].type == "paragraph_open":
            tokens[index - 1].hidden = True
            tokens[index + 1].hidden = True
        if token.type == "heading_open":
            level = 2 if token.tag in ("h1", "h2") else 3
            token.tag = tokens[index + 2].tag = f"h{level}"
            token.attrSet("class", "section-head" if level == 2 else "subsection-head")
    return _RENDERER.render(tokens, MARKDOWN.options, {"prepared": prepared, "workspace": workspace,
                                                       "source": source or article.path.name,
                                                       "url_breaks": url_breaks})


def _only_images(inline: Token) -> bool:
    kinds = [c.type for c in inline.children or []
             if c.type not in ("softbreak", "hardbreak") and not (c.type == "text" and not c.content.strip())]
    return bool(kinds) and all(kind == "image" for kind in kinds)
