"""Rendering an issue in parts, several at a time, and assembling one PDF.

A layout marks where a new part may begin with `{{ new_part }}` (an HTML comment)
just before an element that always starts a new page: the bulletin, before each
article when articles start on a new page. `split` cuts the HTML there into
pieces; `group` puts consecutive pieces into parts of about equal weight (three
a process at least, about 100 pages at most, the contents alone). Every part is
a whole document: the same head and stylesheet, its pieces, and an empty hidden
shell of every other top-level element, so that sibling selectors match as in
the whole document.

`render_in_parts` renders the parts in worker processes (forked: they start with
WeasyPrint imported and the document's faces opened by the parent) and assembles
them (`assemble`). The parts are laid out at once, each from a guess of its first
folio (the last build's counts); once a part's pages are counted it waits for
the counts of the parts before it, which gives its true first folio before its
margin boxes are made (`pagination`), so a folio is never wrong and waiting
happens only after layout. A part that refers to anchors in other parts (the
contents) is rendered again when their pages turn out otherwise than guessed.
Every part is checked against the counts at the end; a part whose first folio or
anchors came out otherwise is rendered again. A worker that dies fails the build
with one message, and the parts waiting for it stop.

Each part's PDF is kept in the build's own folder of the cache, named by what it
was made from (its HTML, its first folio, the pages of the anchors it refers to,
the variant, the fonts and photos): a rebuild renders only the parts that changed
and those after a part whose page count changed. The page counts, anchors and
cuts found are kept as the next build's guesses.

Whether an issue can be rendered in parts is decided by `splittable`: not when
the document counts anything across parts (CSS counters, the page counter's too,
`counter(pages)`, running strings and elements), styles a document's `:first`
page, or the composer measures the render (the newspaper).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

from ..errors import KmyError
from ..i18n import _
from . import PART_BREAK, RenderJob, RenderResult

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_IDS = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")
_REFS = re.compile(r"""\shref\s*=\s*["']#([^"']+)["']""")
_ACROSS = [  # what a part cannot know of the parts before it
    (re.compile(r"counter-(?:increment|reset|set)\s*:\s*(?!none\b)[a-z_-]", re.IGNORECASE),
     "CSS counters"),  # the page counter's too: a part could not know where the folios restarted
    (re.compile(r"counters?\(\s*pages\s*[,)]"), "counter(pages)"),
    (re.compile(r"string-set\s*:\s*(?!none\b)"), "running strings (string-set)"),
    (re.compile(r"position\s*:\s*running\("), "running elements"),
    (re.compile(r"@page[^{]*:first\b"), "an @page :first rule"),
]
HINTS_FORMAT = 2  # bump when how parts are cut changes: the last build's cuts are then not kept
FAILED = -2  # a part's count when its render failed: the parts waiting for it stop


@dataclass(frozen=True)
class Part:
    index: int
    html: str                 # a whole document: the head, this part of the body, the tail
    anchors: frozenset[str]   # the ids it holds
    refers: frozenset[str]    # the ids of other parts it links to or counts (`#id`)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.html.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Pieces:
    """A document cut where `{{ new_part }}` stands: the pieces of its body between the head and tail."""

    head: str
    tail: str
    pieces: list[str]

    def __len__(self) -> int:
        return len(self.pieces)

    def weights(self) -> list[int]:
        return [len(piece) for piece in self.pieces]

    def referring(self) -> list[int]:
        """The pieces that link to or count anchors of other pieces (the contents)."""
        ids = [set(_IDS.findall(piece)) for piece in self.pieces]
        return [index for index, piece in enumerate(self.pieces) if set(_REFS.findall(piece)) - ids[index]]

    def parts(self, bounds: list[int]) -> list[Part]:
        """The parts made of the pieces from each bound to the next (`bounds` starts with 0).

        Each part keeps, around its own pieces, an empty hidden shell of every top-level element of
        the others, so that selectors that look at siblings (`.article + .article`, `:first-child`,
        `:nth-of-type()`) match in a part as they do in the whole document."""
        shells = [_shells(piece) for piece in self.pieces]
        ids = [frozenset(_IDS.findall(piece)) for piece in self.pieces]
        parts = []
        ends = [*bounds[1:], len(self.pieces)]
        for index, (start, stop) in enumerate(zip(bounds, ends)):
            own = frozenset().union(*ids[start:stop])
            refers = frozenset().union(*(_REFS.findall(piece) for piece in self.pieces[start:stop])) - own
            html = "".join([self.head, *shells[:start], *self.pieces[start:stop], *shells[stop:], self.tail])
            parts.append(Part(index, html, own, refers))
        return parts


def split(html: str) -> Pieces | None:
    """The pieces of a document (None when it has no `{{ new_part }}`)."""
    opened, closed = _BODY_OPEN.search(html), None
    if opened:
        closed = next((m for m in _BODY_CLOSE.finditer(html, opened.end())), None)
    if opened is None or closed is None or PART_BREAK not in html:
        return None
    head, body, tail = html[:opened.end()], html[opened.end():closed.start()], html[closed.start():]
    pieces = body.split(PART_BREAK)
    if not pieces[0].strip():
        pieces = pieces[1:]
    return Pieces(head, tail, pieces)


#: Below this much body HTML (about 20 to 30 pages) an issue is rendered whole unless more processes
#: are asked for: a part costs a document's fixed work (its stylesheet, its fonts, its profile).
WORTH_PARTS_WEIGHT = 24_000

#: Parts per process, at least: smaller parts balance the processes better and make an edit's part
#: quicker to render again, at a document's fixed work each.
PARTS_PER_PROCESS = 3

#: A part holds about this much of the body's HTML at most (about 100 pages): a worker's memory stays
#: bounded however long the issue, and parts small enough keep both processes busy to the end.
MAX_PART_WEIGHT = 150_000


def group(weights: list[int], jobs: int, alone: Sequence[int] = ()) -> list[int]:
    """Where each part starts: consecutive pieces in parts of about equal weight, two per process
    (a part costs a document's fixed work: its stylesheet, its fonts), more when a part would be
    heavier than `MAX_PART_WEIGHT`. The pieces `alone` (the contents: rendered again once the pages
    they refer to are known) are parts of their own."""
    bounds: list[int] = []
    edges = sorted({0, len(weights)} | {i for a in alone for i in (a, a + 1) if 0 <= i <= len(weights)})
    runs = list(zip(edges, edges[1:]))
    total = sum(weights)
    for start, stop in runs:
        if start in alone:
            bounds.append(start)
            continue
        share = sum(weights[start:stop])
        count = max(1, round(max(PARTS_PER_PROCESS * jobs, -(-total // MAX_PART_WEIGHT)) * share / total)) if total else 1
        bounds += [start + b for b in _balanced(weights[start:stop], count)]
    return bounds


def _balanced(weights: list[int], count: int) -> list[int]:
    """Where each of about `count` parts of `weights`, in order and of about equal weight, starts: a
    part ends where stopping comes nearer its share of what is left than taking the next piece."""
    count = min(count, len(weights))
    bounds, held, left = [0], 0, sum(weights)
    for index, weight in enumerate(weights[:-1]):
        held += weight
        parts_left = count - len(bounds) + 1  # this part and those after it
        if parts_left <= 1:
            break
        share, following = left / parts_left, weights[index + 1]
        if held >= share or held + following - share > share - held or len(weights) - index - 1 < parts_left:
            bounds.append(index + 1)
            left -= held
            held = 0
    return bounds


class _TopLevel(HTMLParser):
    """The top-level elements of a piece of HTML, as empty hidden shells (ids left out)."""

    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.shells: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            kept = "".join(f' {name}="{html_escape(value or "", quote=True)}"' for name, value in attrs
                           if name not in ("id", "style", "hidden"))
            self.shells.append(f'<{tag}{kept} hidden style="display: none !important"></{tag}>')
        if tag not in self.VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):  # `<div/>`: no element is left open
        depth = self.depth
        self.handle_starttag(tag, attrs)
        self.depth = depth

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth = max(0, self.depth - 1)


def _shells(piece: str) -> str:
    parser = _TopLevel()
    parser.feed(piece)
    parser.close()
    return "".join(parser.shells)


def splittable(job: RenderJob, pieces: Pieces | None) -> str | None:
    """Why this job must be rendered whole (None: it can be rendered in parts)."""
    if pieces is None or len(pieces) < 2:
        return "one part"
    if "fork" not in multiprocessing.get_all_start_methods():
        return "no fork on this system"
    if job.measure:
        return "the composer measures the render"
    html = pieces.head + "".join(pieces.pieces)
    for pattern, what in _ACROSS:
        if pattern.search(html):
            return what
    return None


# ------------------------------------------------------------------ the worker side

_shared: tuple | None = None  # (the page counts of the parts, their condition): set before forking


@dataclass
class PartOutcome:
    index: int
    file: str
    pages: int
    first_page: int
    anchors: dict[str, int]     # id → page index in the part
    warnings: list[str]
    resources: list[str]
    abandoned: bool = False     # stopped because a part before it failed


class _Abandoned(Exception):
    """A part before this one failed: this one stops waiting."""


def _settler(index: int):
    counts, condition = _shared

    def settle(pages: int) -> int:
        with condition:
            counts[index] = pages
            condition.notify_all()
            while True:
                before = counts[:index]
                if FAILED in before:
                    raise _Abandoned()
                if all(count >= 0 for count in before):
                    return 1 + sum(before)
                condition.wait(timeout=1.0)
    return settle


def _fail_all(count: int) -> None:
    """Tell every part still waiting that one before it failed (from the parent)."""
    counts, condition = _shared
    with condition:
        for index in range(count):
            if counts[index] < 0:
                counts[index] = FAILED
        condition.notify_all()


def _publish(index: int, pages: int) -> None:
    counts, condition = _shared
    with condition:
        counts[index] = pages
        condition.notify_all()


def _render_part(index: int, job: RenderJob, target: str, wait: bool, font_files: tuple[str, ...]) -> PartOutcome:
    """Render one part into `target` (in a worker), without its font programs (`assemble` embeds
    each face once, for all parts)."""
    from . import render_pdf
    from .assemble import deferred_font_programs

    try:
        with deferred_font_programs(font_files):
            result = render_pdf(job, _settler(index) if wait else None)
    except _Abandoned:
        return PartOutcome(index, "", 0, 0, {}, [], [], abandoned=True)
    except BaseException:  # a KmyError too: it crosses to the parent as it is
        if wait:
            _publish(index, FAILED)
        raise
    if wait:
        _publish(index, result.pages)  # again: a part laid out anew may have come out longer
    _write_atomic(Path(target), result.pdf)
    return PartOutcome(index, target, result.pages, result.first_page, result.anchors, result.warnings,
                       result.resources)


def _write_atomic(path: Path, data: bytes) -> None:
    scratch = path.with_name(path.name + f".{os.getpid()}.tmp")
    scratch.write_bytes(data)
    os.replace(scratch, path)


# ------------------------------------------------------------------ the parent side

@dataclass
class _Plan:
    part: Part
    first_page: int
    anchors: tuple[tuple[str, int], ...]
    key: str = ""
    outcome: PartOutcome | None = None


def render_in_parts(job: RenderJob, pieces: Pieces, *, jobs: int, store: Path, font_files: Sequence[Path] = (),
                    environment: str = "", reuse: bool = True) -> RenderResult:
    """Render `job` part by part in `jobs` worker processes and assemble one PDF.

    `store`: the folder of this build's parts (kept between builds); `font_files`: the files of the
    faces the parts use (each is embedded once, for all parts: `assemble`); `environment`: what else the
    parts depend on (fonts, code), part of each part's name; `reuse`: parts an earlier build
    rendered from the same sources are used again (else every part is rendered; the page counts
    an earlier build found still serve as guesses). The result's `parts` counts the parts, those
    rendered, those reused and those rendered again (a first folio or the contents' pages that
    turned out otherwise than guessed)."""
    from .assemble import assemble

    fonts = tuple(str(path) for path in font_files)
    store.mkdir(parents=True, exist_ok=True)
    hints = _read_hints(store)
    same = (hints.get("format"), hints.get("pieces"), hints.get("jobs")) == (HINTS_FORMAT, len(pieces), jobs)
    bounds = hints.get("bounds") if same else None  # the last build's cuts
    bounds = bounds or group(pieces.weights(), jobs, pieces.referring())
    parts = pieces.parts(bounds)
    counts = {"parts": len(parts), "rendered": 0, "reused": 0, "again": 0}
    base = dataclasses.replace(job, html="", identifier=None)  # each part's job: the document's, with its HTML
    plans = _first_plans(parts, hints.get("parts", {}), hints.get("order", []) if same else [])
    for round_number in range(4):
        first = 1
        for plan in plans:
            if plan.outcome is None:
                if all(p.outcome is not None for p in plans[:plan.part.index]):
                    plan.first_page = first  # the parts before it are known: so is its first folio
                plan.key = _part_key(base, plan, environment)
                plan.outcome = _load_outcome(store, plan) if reuse else None
                counts["reused"] += plan.outcome is not None
            first = plan.first_page + (plan.outcome.pages if plan.outcome else 1)
        todo = [plan for plan in plans if plan.outcome is None]
        if len(todo) == 1 and all(plan.outcome is not None for plan in plans[:todo[0].part.index]):
            _run_here(base, todo[0], store, environment, fonts)  # its first folio is known: no process needed
        elif todo:
            _run(base, plans, todo, jobs, store, environment, fonts, pieces.head + pieces.tail,
                 wait=round_number == 0)
        counts["again" if round_number else "rendered"] += len(todo)
        corrected = _settled(plans)
        if not corrected:
            break
        for plan in corrected:
            plan.outcome = None
    else:
        raise RuntimeError("the parts' page numbers did not settle")  # pragma: no cover
    _write_hints(store, plans, len(pieces), bounds, jobs)
    pdf = assemble([Path(plan.outcome.file) for plan in plans], identifier=job.identifier, font_files=font_files,
                   xmp_transform=job.xmp_transform)
    _prune(store, {f"{plan.key}.pdf" for plan in plans} | {f"{plan.key}.json" for plan in plans} | {"hints.json"})
    outcomes = [plan.outcome for plan in plans]
    anchors = {name: plan.first_page - 1 + page for plan in plans for name, page in plan.outcome.anchors.items()}
    return RenderResult(pdf=pdf, pages=sum(o.pages for o in outcomes),
                        warnings=[w for o in outcomes for w in o.warnings],
                        resources=sorted({r for o in outcomes for r in o.resources}), anchors=anchors,
                        parts=counts)


def _first_plans(parts: list[Part], hints: dict, order: list[dict]) -> list[_Plan]:
    """Each part with its guessed first folio and anchor pages: the last build's counts of the same
    part, else of the part in its place (an edited one), else one page."""
    plans, first, where = [], 1, {}
    for part in parts:
        known = hints.get(part.digest) or (order[part.index] if part.index < len(order) else {})
        for name, page in known.get("anchors", {}).items():
            where[name] = first + page
        plans.append(_Plan(part, first, ()))
        first += known.get("pages", 1)
    for plan in plans:
        plan.anchors = tuple(sorted((name, where.get(name, 0)) for name in plan.part.refers))
    return plans


def _settled(plans: list[_Plan]) -> list[_Plan]:
    """The parts whose first folio or anchor pages differ from what the counts say, fixed up for
    another round (none: the document is settled)."""
    first, where = 1, {}
    for plan in plans:
        for name, page in plan.outcome.anchors.items():
            where[name] = first + page
        plan.first_page, first = first, first + plan.outcome.pages
    wrong = []
    for plan in plans:
        anchors = tuple(sorted((name, where.get(name, 0)) for name in plan.part.refers))
        if plan.outcome.first_page != plan.first_page or anchors != plan.anchors:
            plan.anchors = anchors
            wrong.append(plan)
    return wrong


def _run(base: RenderJob, plans: list[_Plan], todo: list[_Plan], jobs: int, store: Path, environment: str,
         font_files: tuple[str, ...], head_only: str, *, wait: bool) -> None:
    """Render the `todo` parts in worker processes; with `wait`, each settles its first folio by the
    counts of the parts before it."""
    global _shared
    context = multiprocessing.get_context("fork")
    counts = context.Array("i", [-1] * len(plans), lock=False)
    for plan in plans:
        if plan.outcome is not None:
            counts[plan.part.index] = plan.outcome.pages
    _shared = (counts, context.Condition())
    from . import engine

    # The workers start with WeasyPrint imported and the document's fonts loaded (once per process).
    engine.load_fonts(dataclasses.replace(base, html=head_only))

    tasks = [(plan.part.index, _part_job(base, plan),
              str(store / f"{plan.key}.pdf"), wait, font_files) for plan in todo]
    # The objects this process has made so far stay out of the workers' garbage collections, which
    # would otherwise write to (and so copy) every page of memory they share with this process.
    gc.freeze()
    try:
        # In order: a part waits only for parts before it, which have started by then.
        with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context) as pool:
            futures = [pool.submit(_render_part, *task) for task in tasks]
            try:
                outcomes = [future.result() for future in futures]
            except BrokenProcessPool:
                _fail_all(len(plans))  # the parts still waiting stop
                raise KmyError(_("a process rendering the issue stopped unexpectedly (out of memory?); build "
                                 "again, or with --jobs 1 to render the issue in one process")) from None
            except BaseException:
                _fail_all(len(plans))
                raise
    finally:
        _shared = None
        gc.unfreeze()
    if any(o.abandoned for o in outcomes):  # pragma: no cover (a part failed without saying why)
        raise RuntimeError("a part stopped waiting for one that failed")
    for plan, outcome in zip(todo, outcomes):
        _keep(base, plan, outcome, store, environment)


def _part_job(base: RenderJob, plan: _Plan) -> RenderJob:
    """A part's job: its HTML, first folio and the anchors it refers to. What the document has once
    (attachments, the output intent's entries) goes with the first part only, as the assembled
    document's catalog is the first part's; the XMP transform is applied to the assembled document."""
    first = plan.part.index == 0
    return dataclasses.replace(base, html=plan.part.html, first_page=plan.first_page, external_anchors=plan.anchors,
                               identifier=b"",  # none: `assemble` gives the document its /ID
                               attachments=base.attachments if first else (),
                               output_intent=base.output_intent if first else (), xmp_transform=None)


def _run_here(base: RenderJob, plan: _Plan, store: Path, environment: str, font_files: tuple[str, ...]) -> None:
    """Render one part in this process (the only one to render, its first folio known)."""
    outcome = _render_part(plan.part.index, _part_job(base, plan), str(store / f"{plan.key}.pdf"), False, font_files)
    _keep(base, plan, outcome, store, environment)


def _keep(base: RenderJob, plan: _Plan, outcome: PartOutcome, store: Path, environment: str) -> None:
    """Note a rendered part in its plan and beside its PDF; a part whose first folio was settled after
    layout is named by the folio it has."""
    if outcome.first_page != plan.first_page:
        plan.first_page = outcome.first_page
        plan.key = _part_key(base, plan, environment)
        os.replace(outcome.file, store / f"{plan.key}.pdf")
        outcome.file = str(store / f"{plan.key}.pdf")
    plan.outcome = outcome
    (store / f"{plan.key}.json").write_text(json.dumps(dataclasses.asdict(outcome), ensure_ascii=False))


def _part_key(base: RenderJob, plan: _Plan, environment: str) -> str:
    job = _part_job(base, plan)
    attachments = [(a.name, a.relationship, a.description, str(a.created), str(a.modified),
                    hashlib.sha256(a.data).hexdigest()) for a in job.attachments]
    facts = [environment, plan.part.digest, job.first_page, job.external_anchors, job.base_url, job.pdf_variant,
             job.output_intent, job.cjk_justify, attachments]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()[:40]


def _load_outcome(store: Path, plan: _Plan) -> PartOutcome | None:
    pdf, facts = store / f"{plan.key}.pdf", store / f"{plan.key}.json"
    try:
        outcome = PartOutcome(**json.loads(facts.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not pdf.is_file():
        return None
    outcome.file = str(pdf)
    return outcome


def _read_hints(store: Path) -> dict:
    try:
        return json.loads((store / "hints.json").read_text())
    except (OSError, ValueError):
        return {}


def _write_hints(store: Path, plans: list[_Plan], pieces: int, bounds: list[int], jobs: int) -> None:
    facts = [{"pages": plan.outcome.pages, "anchors": plan.outcome.anchors} for plan in plans]
    hints = {"format": HINTS_FORMAT, "pieces": pieces, "jobs": jobs, "bounds": bounds, "order": facts,
             "parts": {plan.part.digest: fact for plan, fact in zip(plans, facts)}}
    _write_atomic(store / "hints.json", json.dumps(hints, ensure_ascii=False, sort_keys=True).encode())


def _prune(store: Path, keep: set[str]) -> None:
    """Remove the parts of earlier builds that this build did not use."""
    for path in store.iterdir():
        if path.name not in keep:
            try:
                path.unlink()
            except OSError:
                pass
