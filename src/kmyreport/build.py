"""The compile pipeline: manifest → articles and photos → edition data → HTML → PDF.

One straight line, each step in its own module. `compile_issue` is what the
CLI's `compile` calls; `prepare_issue` stops before rendering so that the
benchmark (and later a preview server) can reuse everything up to the HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import __version__
from .archive import get_level, plan_archive, store_archive, xmp_finisher
from .articles import Article, body_html, load_article
from .editions import Edition, get_edition
from .errors import KmyError, display_path
from .files import write_bytes_atomic
from .layouts import Layout, cn_date, load_layout, render_template
from .manifest import LoadedManifest, load_manifest, source_date_epoch
from .photos import Placement, PreparedPhoto, prepare_photo
from .preflight import check_glyphs
from .render import render_pdf
from .workspace import Workspace, find_workspace


@dataclass
class PreparedIssue:
    """Everything needed to render one edition of an issue, up to its HTML."""

    manifest: LoadedManifest
    workspace: Workspace
    layout: Layout
    edition: Edition
    articles: list[Article]
    html: str
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def output_path(self) -> Path:
        issue_id = self.manifest.issue_id
        return self.workspace.out_dir / issue_id / self.edition.file_name(issue_id)


@dataclass
class BuildResult:
    output: Path
    pages: int
    size_bytes: int
    seconds: float
    articles: int
    photos: int
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def prepare_issue(manifest_path: Path, *, edition: str = "print", level: str | None = None,
                  workspace_root: Path | None = None) -> PreparedIssue:
    """Load, resolve and prepare an issue and render its HTML (no PDF yet)."""
    clock = _Stopwatch()
    manifest = load_manifest(Path(manifest_path))
    workspace = find_workspace(manifest.path, workspace_root)
    if not workspace.contains(manifest.path):
        raise KmyError("the manifest lies outside the workspace", manifest.path)
    chosen = get_edition(edition, level)
    layout = _layout_for(manifest, workspace)
    articles = _load_articles(manifest, workspace)
    check_glyphs([manifest.path] + [a.path for a in articles], layout.font_files(), workspace.cache_dir)
    clock.lap("sources")
    placement = layout.photo_placement
    if chosen.photo_ppi:
        placement = Placement(placement.max_width_mm, placement.max_height_mm, chosen.photo_ppi)
    prepared, warnings = _prepare_photos(articles, placement, workspace)
    clock.lap("photos")
    context = edition_context(manifest, layout, chosen, articles, prepared, workspace)
    html = render_template(layout, layout.config.template, context)
    clock.lap("html")
    return PreparedIssue(manifest=manifest, workspace=workspace, layout=layout, edition=chosen,
                         articles=articles, html=html, warnings=warnings, timings=clock.laps)


class _Stopwatch:
    """Seconds spent in each named stage, in order."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def compile_issue(manifest_path: Path, *, edition: str = "print", level: str | None = None,
                  workspace_root: Path | None = None, output: Path | None = None,
                  validate: bool = True) -> BuildResult:
    """Compile one edition of an issue to PDF. A failed build leaves any earlier PDF untouched.

    Archive editions are checked before they replace anything (own checks, and veraPDF when
    `validate` and it is installed) and get a sidecar `<file>.json`.
    """
    started = time.perf_counter()
    issue = prepare_issue(manifest_path, edition=edition, level=level, workspace_root=workspace_root)
    clock = _Stopwatch()
    plan = plan_archive(issue, get_level(issue.edition.archive_level)) if issue.edition.archive_level else None
    result = render_pdf(issue.html, base_url=issue.workspace.url(issue.layout.folder / "templates"),
                        workspace=issue.workspace,
                        source_name=display_path(issue.layout.folder), pdf_variant=issue.edition.pdf_variant,
                        pdf_identifier=_identifier(issue),
                        attachments=plan.attachments if plan else None,
                        finisher=xmp_finisher(plan) if plan else None)
    clock.lap("layout+pdf")
    target = Path(output) if output else issue.output_path
    warnings = issue.warnings + result.warnings
    try:
        if plan is None:
            write_bytes_atomic(target, result.pdf)
        else:
            warnings += store_archive(issue, plan, result.pdf, target, validate=validate)
    except OSError as exc:
        raise KmyError(f"cannot write the PDF ({exc.strerror or exc}); check that the folder exists, "
                       "is writable and has space", target) from None
    clock.lap("validate+write" if plan else "write")
    return BuildResult(output=target, pages=result.pages, size_bytes=len(result.pdf),
                       seconds=time.perf_counter() - started, articles=len(issue.articles),
                       photos=sum(len(a.photos) for a in issue.articles), warnings=warnings,
                       timings=issue.timings | clock.laps)


def _layout_for(manifest: LoadedManifest, workspace: Workspace) -> Layout:
    try:
        return load_layout(manifest.model.layout, workspace)
    except KmyError as exc:
        if exc.file is None:
            raise manifest.error_at(("layout",), exc.message) from None
        raise


def _load_articles(manifest: LoadedManifest, workspace: Workspace) -> list[Article]:
    articles = []
    for number, (loc, _section, rel) in enumerate(manifest.article_entries(), start=1):
        path = (manifest.folder / rel).resolve()
        if not workspace.contains(path):
            raise manifest.error_at(loc, f"article lies outside the workspace: {rel}; keep articles in "
                                    "the issue folder")
        if not path.is_file():
            raise manifest.error_at(loc, f"file not found: {rel}; check the path (relative to this "
                                    "manifest) or add the article")
        article = load_article(path, manifest.folder, workspace)
        article.anchor = f"article-{number}"
        articles.append(article)
    return articles


def _prepare_photos(articles: list[Article], placement: Placement,
                    workspace: Workspace) -> tuple[dict[int, PreparedPhoto], list[str]]:
    """Prepare every photo, several at a time (Pillow releases the GIL while it decodes,
    resamples and encodes); results and warnings keep the order of the issue."""
    jobs = [(article, photo) for article in articles for photo in article.photos]
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1) or 1) as pool:
        results = list(pool.map(lambda job: prepare_photo(job[1].source, placement, workspace.cache_dir,
                                                          where=(job[0].path, job[1].line)), jobs))
    prepared = {id(photo): placed for (_, photo), (placed, _) in zip(jobs, results)}
    warnings = [warning for _, warns in results for warning in warns]
    return prepared, warnings


def edition_context(manifest: LoadedManifest, layout: Layout, edition: Edition, articles: list[Article],
                    prepared: dict[int, PreparedPhoto], workspace: Workspace) -> dict[str, Any]:
    """The data a layout's templates receive. Templates never see files or models directly."""
    model = manifest.model
    by_path = {a.path: a for a in articles}
    sections = []
    for section in model.sections:
        items = []
        for rel in section.articles:
            article = by_path[(manifest.folder / rel).resolve()]
            items.append(_article_context(article, prepared, workspace))
        sections.append({"title": section.title, "articles": items})
    authors = list(dict.fromkeys(a.name for art in articles for a in art.front.authors))
    title = f"{model.publication.name} 第{model.issue.number}期"
    if model.issue.title:
        title += f" {model.issue.title}"
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
        "tokens": layout.config.tokens,
        "edition": {"name": edition.name},
        "font_face_css": Markup(layout.font_face_css()),
        "stylesheet": Markup(render_template(layout, "style.css.j2", {
            "layout": layout.config.model_dump(), "tokens": layout.config.tokens,
            "column_width_mm": layout.column_width_mm})),
    }


def _article_context(article: Article, prepared: dict[int, PreparedPhoto], workspace: Workspace) -> dict[str, Any]:
    front = article.front
    return {
        "anchor": article.anchor,
        "title": front.title,
        "kicker": front.kicker,
        "subtitle": front.subtitle,
        "byline": article.byline,
        "authors": [a.model_dump() for a in front.authors],
        "origin": front.origin.model_dump() if front.origin else None,
        "origin_note": _origin_note(article),
        "editors": front.editors,
        "body": Markup(body_html(article, prepared, workspace)),
        "source": article.path.name,
    }


def _origin_note(article: Article) -> str | None:
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


def _identifier(issue: PreparedIssue) -> bytes:
    """A stable PDF /ID: the same issue and edition always get the same identifier."""
    digest = hashlib.md5(f"{issue.manifest.issue_id}/{issue.edition.name}/{issue.html}".encode())
    return digest.hexdigest().encode()
