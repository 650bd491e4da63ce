"""The compile pipeline: load → resolve → prepare → present → render → store.

One straight line, each step in its own module: the manifest and articles are
loaded (`manifest`, `articles`), photos prepared for the edition's policy
(`photos`), the layout's templates filled (`present`, `layouts`), the HTML
rendered (`render`), and the PDF stored the edition's way (`editions`).
`compile_issue` is what the CLI's `compile` calls; `prepare_issue` stops before
rendering so that the benchmark (and later a preview server) can reuse
everything up to the HTML. Nothing here depends on which edition is built.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import cache as build_cache
from .articles import Article, PhotoRef, read_article
from .colour import ColourTarget, target_for
from .compose import Composer, composer_for
from .desk import leftover_warnings
from .editions import Edition, get_edition
from .errors import KmyError, KmyErrors, Problems, display_path
from .i18n import _
from .layouts import Layout, load_layout
from .manifest import LoadedManifest, ManifestDraft, read_manifest
from .photos import Placement, PreparedPhoto, cached_photo, prepare_photo
from .preflight import check_glyphs
from .render import RenderJob, render_pdf
from .suggest import best_guess
from .verapdf import find_verapdf_jar
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
    composer: Composer  # what made the HTML (kmyreport.compose), and writes any files beside the PDF
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
    files: list[Path] = field(default_factory=list)  # written beside the PDF (a newspaper's single pages)
    cached: bool = False  # up to date: nothing was rendered, the outputs are those of the last build
    parts: dict[str, int] = field(default_factory=dict)  # rendered in parts: how many, rendered, reused, again


def prepare_issue(manifest_path: Path, *, edition: str = "print", level: str | None = None,
                  workspace_root: Path | None = None, overflow: str = "error") -> PreparedIssue:
    """Load, resolve and prepare an issue and render its HTML (no PDF yet).

    `overflow`: whether a newspaper story that does not fit its area is an "error" or a "warn"ing."""
    clock = _Stopwatch()
    problems = Problems()  # every mistake in the manifest and the articles, reported in one run
    draft = read_manifest(Path(manifest_path), problems)
    if draft is None:
        problems.check()
        raise AssertionError("a manifest that does not read has an error")  # pragma: no cover
    workspace = find_workspace(draft.path, workspace_root)
    if not workspace.contains(draft.path):
        raise KmyError(_("the manifest lies outside the workspace"), draft.path)
    chosen = get_edition(edition, level)
    layout: Layout | None = None
    with problems.collecting():
        layout = _layout_for(draft, workspace)
    articles = _load_articles(draft, workspace, problems)
    if layout is not None:
        for source in [draft.path] + [a.path for a in articles]:  # the first character each file lacks
            with problems.collecting():
                check_glyphs([source], layout.font_files(), workspace.cache_dir)
    problems.check()
    manifest = draft.loaded()
    assert manifest is not None and layout is not None
    leftovers = leftover_warnings(manifest.folder, [rel for _, rel in manifest.article_entries()], articles,
                                  newspaper=bool(manifest.model.pages))
    clock.lap("sources")
    placement = layout.photo_placement
    if chosen.photos.ppi:
        placement = Placement(placement.max_width_mm, placement.max_height_mm, chosen.photos.ppi)
    composer = composer_for(manifest, overflow=overflow)
    prepared, warnings = _prepare_photos(articles, composer.placement_for(manifest, layout, articles, placement),
                                         workspace, target_for(chosen.photos.colour, layout))
    clock.lap("photos")
    composed = composer.compose(manifest, layout, chosen, articles, prepared, workspace)
    clock.lap("html")
    return PreparedIssue(manifest=manifest, workspace=workspace, layout=layout, edition=chosen,
                         articles=articles, html=composed.html, warnings=leftovers + warnings + composed.warnings,
                         timings=clock.laps, composer=composer)


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
                  validate: bool = True, overflow: str = "error", cache: bool = True,
                  jobs: int | None = None) -> BuildResult:
    """Compile one edition of an issue to PDF. A failed build leaves any earlier PDF untouched.

    The edition adds to the render (attachments, XMP) and stores the result its own way: the
    archive editions check a copy before it replaces anything (own checks, and veraPDF when
    `validate` and it is installed) and write a sidecar `<file>.json`.

    With `cache` (the default), a build whose inputs, options and tools are those of the last
    build of the same output, and whose outputs are still as that build left them, renders
    nothing: the result is the recorded one, with `cached` set (`kmyreport.cache`).

    `jobs`: how many processes render the parts of the issue (`render.parts`): None, as many as
    the machine has cores (at most `MAX_JOBS`) when the issue is long enough for parts to pay;
    1 renders the issue whole, in this process.
    """
    started = time.perf_counter()
    slot = record = key = None
    if cache:
        slot, key = _cache_slot(manifest_path, edition, level, workspace_root, output, validate, overflow)
        record = build_cache.load(slot) if slot is not None else None
        if record is not None and record.fresh(key):
            return _cached_result(record, time.perf_counter() - started)
    issue = prepare_issue(manifest_path, edition=edition, level=level, workspace_root=workspace_root,
                          overflow=overflow)
    clock = _Stopwatch()
    extras = issue.edition.render_extras(issue)
    target = Path(output) if output else issue.output_path
    result = _render(issue, RenderJob(
        html=issue.html, base_url=issue.layout.base_url,
        workspace=issue.workspace, source_name=display_path(issue.layout.folder),
        pdf_variant=issue.edition.pdf_variant, identifier=_identifier(issue),
        attachments=extras.attachments, xmp_transform=extras.xmp_transform,
        output_intent=extras.output_intent, measure=issue.composer.measure_render), target, jobs, reuse=cache)
    checked = issue.composer.rendered(result.measures)  # a newspaper: stories fit
    clock.lap("layout+pdf")
    if slot is not None:
        build_cache.forget(slot)  # the outputs are about to change: no record may vouch for them meanwhile
    storing = time.time_ns()
    try:
        stored = issue.edition.store(issue, extras, result.pdf, target, validate=validate)
        files = issue.composer.outputs(result.pdf, target)
    except OSError as exc:
        raise KmyError(_("cannot write the PDF ({problem}); check that the folder exists, is writable and has "
                         "space").format(problem=exc.strerror or exc), target) from None
    clock.lap("store")
    built = BuildResult(output=target, pages=result.pages, size_bytes=len(result.pdf),
                        seconds=time.perf_counter() - started, articles=len(issue.articles),
                        photos=sum(len(a.photos) for a in issue.articles),
                        warnings=issue.warnings + checked + result.warnings + stored,
                        timings=issue.timings | clock.laps, files=files, parts=result.parts)
    if slot is not None and key is not None:
        _record_build(slot, key, record, issue, result.resources, built, storing)
    return built


MAX_JOBS = 4  # more processes than this gain little on an issue and cost memory


def default_jobs() -> int:
    """How many processes render an issue's parts when not told: the cores there are, at most `MAX_JOBS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


def _render(issue: PreparedIssue, job: RenderJob, target: Path, jobs: int | None, *, reuse: bool):
    """Render the issue: in parts, several at a time, when it has parts and more than one process may
    be used; else whole, in this process. `reuse`: parts rendered by an earlier build from the same
    sources may be used again."""
    asked = jobs is not None
    jobs = jobs if asked else default_jobs()
    if jobs > 1:
        from .render.parts import WORTH_PARTS_WEIGHT, split, splittable

        pieces = split(job.html)
        if splittable(job, pieces) is None and (asked or sum(pieces.weights()) >= WORTH_PARTS_WEIGHT):
            from .render.parts import render_in_parts

            store = issue.workspace.cache_dir / "parts" / hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:24]
            fonts = issue.layout.font_files()
            files = [*fonts, *(photo.source for a in issue.articles for photo in a.photos)]
            environment = build_cache.environment_key({"files": [_stamp(path) for path in files]})
            try:
                return render_in_parts(job, pieces, jobs=jobs, store=store, font_files=fonts,
                                       environment=environment, reuse=reuse)
            except OSError:
                pass  # the parts' folder cannot be written (full, read-only): the issue is rendered whole
    return render_pdf(job)


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return f"{path}:-"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _cache_slot(manifest_path: Path, edition: str, level: str | None, workspace_root: Path | None,
                output: Path | None, validate: bool, overflow: str) -> tuple[Path | None, str]:
    """The record file of this build's output slot and the key of its options; no slot when the
    workspace cannot be found (the build then says why)."""
    try:
        manifest = Path(manifest_path).resolve()
        if manifest.is_dir():
            manifest = manifest / "issue.yaml"
        workspace = find_workspace(manifest, workspace_root)
    except (KmyError, OSError):
        return None, ""
    target = str(Path(output).resolve()) if output else None
    jar = find_verapdf_jar() if validate else None  # a validator installed since is a change (archive sidecars)
    parts = {"manifest": str(manifest), "workspace": str(workspace.root), "edition": edition, "level": level,
             "output": target, "validate": validate, "overflow": overflow,
             "validator": f"{jar}:{jar.stat().st_size}:{jar.stat().st_mtime_ns}" if jar else None}
    slot = build_cache.slot_path(workspace.cache_dir, manifest, edition, level, target)
    return slot, build_cache.environment_key(parts)


def _record_build(slot: Path, key: str, previous: build_cache.Record | None, issue: PreparedIssue,
                  resources: list[str], built: BuildResult, storing_ns: int) -> None:
    """Note what this build read and wrote, for the next build of the same slot."""
    out_dir = issue.workspace.out_dir.resolve()
    inputs = [issue.manifest.path, *(a.path for a in issue.articles),
              *(photo.source for a in issue.articles for photo in a.photos),
              *issue.layout.files, *issue.layout.font_files(),
              *(Path(p) for p in resources if out_dir not in Path(p).parents)]
    outputs = [built.output, *built.files]
    beside = built.output.with_suffix(".json")  # a sidecar the edition wrote with the PDF (archive)
    try:
        if beside.is_file() and beside.stat().st_mtime_ns >= storing_ns - 2_000_000_000:
            outputs.append(beside)
        known = {sig.path: sig for sig in (previous.inputs if previous else [])}
        record = build_cache.Record(
            key=key, inputs=build_cache.signatures(inputs, known),
            folders=build_cache.listing(issue.layout.folders), outputs=build_cache.signatures(outputs),
            result={"output": str(built.output), "pages": built.pages, "size_bytes": built.size_bytes,
                    "articles": built.articles, "photos": built.photos, "warnings": built.warnings,
                    "files": [str(p) for p in built.files]})
    except OSError:
        return  # an input vanished meanwhile: no record, the next build renders
    build_cache.save(slot, record)


def _cached_result(record: build_cache.Record, seconds: float) -> BuildResult:
    facts = record.result
    return BuildResult(output=Path(facts["output"]), pages=facts["pages"], size_bytes=facts["size_bytes"],
                       seconds=seconds, articles=facts["articles"], photos=facts["photos"],
                       warnings=list(facts["warnings"]), timings={"cache": seconds},
                       files=[Path(p) for p in facts["files"]], cached=True)


def _layout_for(manifest: LoadedManifest | ManifestDraft, workspace: Workspace) -> Layout:
    """The manifest's layout with the issue's tokens; a manifest that does not validate gets its
    layout checked all the same (its tokens are not)."""
    model = manifest.model
    if model is not None:
        name = model.layout
    else:
        data = manifest.data if isinstance(manifest, ManifestDraft) and isinstance(manifest.data, dict) else {}
        name = data.get("layout", "bulletin")
        if not isinstance(name, str) or not name.strip():
            name = "bulletin"
    try:
        layout = load_layout(name, workspace)
    except KmyError as exc:
        if exc.file is None:
            raise manifest.error_at(("layout",), exc.message) from None
        raise
    if model is None:
        return layout
    overrides = model.tokens
    unknown = [manifest.error_at(("tokens", key), _("layout '{layout}' has no token '{key}'; {hint}").format(
                   layout=layout.config.name, key=key, hint=hint))
               for key, hint in layout.unknown_tokens(overrides).items()]
    if unknown:
        raise unknown[0] if len(unknown) == 1 else KmyErrors(unknown)
    return layout.with_tokens(overrides) if overrides else layout


def _load_articles(manifest: LoadedManifest | ManifestDraft, workspace: Workspace,
                   problems: Problems | None = None) -> list[Article]:
    """Every article the manifest lists, read; the problems of all of them are collected into
    `problems` (or, without it, raised together at the end) and the articles that have none returned."""
    found = Problems() if problems is None else problems
    articles = []
    for number, (loc, rel) in enumerate(manifest.article_entries(), start=1):
        path = (manifest.folder / rel).resolve()
        if not workspace.contains(path):
            found.add(manifest.error_at(loc, _("article lies outside the workspace: {path}; keep articles in "
                                               "the issue folder").format(path=rel)))
            continue
        if not path.is_file():
            found.add(manifest.error_at(loc, _article_not_found(rel, path, manifest.folder, workspace)))
            continue
        article = read_article(path, manifest.folder, workspace, found)
        if article is not None:
            article.anchor = f"article-{number}"
            articles.append(article)
    if problems is None:
        found.check()
    return articles


def _article_not_found(rel: str, path: Path, folder: Path, workspace: Workspace) -> str:
    """The message for an article file that is not there, with the name that probably was meant."""
    guess = best_guess(path, folder.resolve(), workspace, suffix=path.suffix.lower() or None)
    if guess and guess[0] == "close":
        return _("file not found: {path}; did you mean '{guess}'?").format(path=rel, guess=guess[1])
    if guess:
        return _("file not found: {path}; a file of that name is elsewhere in the workspace: write '{guess}' "
                 "(relative to this manifest), or move the file into articles/").format(path=rel, guess=guess[1])
    return _("file not found: {path}; check the path (relative to this manifest) or add the article").format(
        path=rel)


def _prepare_photos(articles: list[Article], placement: Callable[[PhotoRef], Placement], workspace: Workspace,
                    colour: ColourTarget) -> tuple[dict[int, PreparedPhoto], list[str]]:
    """Prepare every photo, several at a time; results and warnings keep the order of the issue.

    Photos already in the cache are taken from it in threads. Photos to convert (decode, resample,
    colour transform, encode) are prepared in processes when there are several: Pillow lets go of
    the GIL only in parts of that work, and two processes did the 24 photos of the benchmark in
    2.8 s where two threads took 3.8 s."""
    jobs = [(article, photo) for article in articles for photo in article.photos]
    tasks = [(photo.source, placement(photo), workspace.cache_dir, (article.path, photo.line), colour)
             for article, photo in jobs]
    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=min(len(tasks), workers) or 1) as pool:
        results = list(pool.map(_cached_one, tasks))
        todo = [index for index, result in enumerate(results) if result is None]
        if len(todo) >= PHOTO_PROCESSES_FROM and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(min(workers, len(todo)), mp_context=multiprocessing.get_context("fork")) as procs:
                prepared_now = list(procs.map(_prepare_one, [tasks[index] for index in todo]))
        else:
            prepared_now = list(pool.map(_prepare_one, [tasks[index] for index in todo]))
    for index, result in zip(todo, prepared_now):
        results[index] = result
    prepared = {id(photo): placed for (_, photo), (placed, _) in zip(jobs, results)}
    warnings = [warning for _, warns in results for warning in warns]
    return prepared, warnings


PHOTO_PROCESSES_FROM = 4  # photos to convert from which processes pay for their start


def _cached_one(task: tuple) -> tuple[PreparedPhoto, list[str]] | None:
    source, where, cache_dir, place, colour = task
    return cached_photo(source, where, cache_dir, where=place, colour=colour)


def _prepare_one(task: tuple) -> tuple[PreparedPhoto, list[str]]:
    source, where, cache_dir, place, colour = task
    return prepare_photo(source, where, cache_dir, where=place, colour=colour)


def _identifier(issue: PreparedIssue) -> bytes:
    """A stable PDF /ID: the same issue and edition family always get the same identifier."""
    digest = hashlib.md5(f"{issue.manifest.issue_id}/{issue.edition.family}/{issue.html}".encode())
    return digest.hexdigest().encode()
