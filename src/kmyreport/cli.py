"""The `kmyreport` command: a thin shell over the library.

Each command parses its options and calls one library function. Errors a user
can cause are printed as one line naming the file and line, with a non-zero
exit; tracebacks appear only with --debug.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup, TyperOption

from . import editions
from .errors import KmyError, display_path
from .i18n import LANGUAGES, N_, _, ngettext, set_language

if TYPE_CHECKING:
    from .build import BuildResult


class _HelpInLanguage:
    """The --help option's own text in the chosen language (click's is English)."""

    def get_help_option(self, ctx):  # noqa: ANN001, ANN201 - click's types
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class KmyCommand(_HelpInLanguage, TyperCommand):
    """A command whose help speaks the chosen language: give it as cls= with help=_(…)."""


class KmyGroup(_HelpInLanguage, TyperGroup):
    """The root command, its help in the chosen language."""


def _typer_in_language() -> None:
    """Typer's help in the chosen language, and no type after a flag.

    Typer's rich help (0.2x) shows a type column for every option, `<bool>` after a plain flag
    such as --watch too, though a flag takes no value: flags (and counters) get none here. Help
    texts fold at the column's edge (Rich wraps at spaces only, and cut Chinese lines short)."""
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")
    made = rich_utils._make_rich_text
    if not getattr(made, "folds", False):
        def make_rich_text(**kwargs):  # noqa: ANN003, ANN202
            text = made(**kwargs)
            if getattr(text, "overflow", "") is None:
                text.overflow = "fold"  # Chinese has no spaces to wrap at: a long sentence was cut off with '…'
            return text

        make_rich_text.folds = True  # type: ignore[attr-defined]
        rich_utils._make_rich_text = make_rich_text
    typed = TyperOption.display_type_rich
    if not getattr(typed, "flags_untyped", False):
        def display_type_rich(self: TyperOption, ctx):  # noqa: ANN001, ANN202
            return None if self.is_flag or self.count else typed(self, ctx)

        display_type_rich.flags_untyped = True  # type: ignore[attr-defined]
        TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_typer_in_language()
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=KmyGroup,
                  help=_("Compile the editions of 克拉玛依融媒 from news copy and photos."))
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
T = TypeVar("T")

DebugOption = Annotated[bool, typer.Option("--debug", help=_("Show the full traceback on errors."))]


def print_error(message: object, *, console: Console | None = None, template: str | None = None) -> None:
    """One error line: the label ("error:", in the chosen language) in bold red, then the message."""
    _print_labelled(template or _("error: {message}"), str(message), "bold red", console or err)


def print_warning(message: object, *, console: Console | None = None) -> None:
    """One warning line: the label ("warning:", in the chosen language) in yellow, then the message."""
    _print_labelled(_("warning: {message}"), str(message), "yellow", console or err)


def _print_labelled(template: str, message: str, style: str, console: Console) -> None:
    from rich.markup import escape

    head, _sep, tail = template.partition("{message}")
    console.print(f"[{style}]{escape(head.rstrip())}[/]{' ' if head.endswith(' ') else ''}{escape(message)}"
                  f"{escape(tail)}", soft_wrap=True)


def _registry_help() -> dict[str, str]:
    """Help text that lists the registered editions (importing every edition module, and with them
    Pillow and pydantic)."""
    return {"{editions}": editions.help_text(),
            "{archive_levels}": ", ".join(e.level or "" for e in editions.families()["archive"])}


class LazyHelp(KmyCommand):
    """A command whose option help names the registered editions, filled in only when the help is
    shown: building the command line (for `--version`, `--help` or any command) imports no edition."""

    def format_help(self, ctx, formatter) -> None:  # noqa: ANN001 - click's types
        fill = None
        for param in self.params:
            text = getattr(param, "help", None)
            if text and "{" in text:
                fill = fill or _registry_help()
                for marker, value in fill.items():
                    text = text.replace(marker, value)
                param.help = text
        super().format_help(ctx, formatter)


def _show_version(value: bool) -> None:
    if value:
        from . import __version__
        from .render import engine_versions
        out.print(_("kmyreport {version} (WeasyPrint {weasyprint})").format(
            version=__version__, weasyprint=engine_versions()["weasyprint"]), markup=False)
        raise typer.Exit()


def _choose_language(value: str | None) -> str | None:
    """--lang: checked here; it took effect when kmyreport.i18n was imported (help texts are made then)."""
    if value is None:
        return None
    if value.lower() not in LANGUAGES:
        raise typer.BadParameter(_("choose zh (Chinese) or en (English), not '{value}'").format(value=value))
    set_language(value.lower())
    os.environ["KMYREPORT_LANG"] = value.lower()  # for the worker processes of a batch, which choose on import
    return value.lower()


@app.callback(help=_("kmyreport: Chinese bulletins from manifest to print-ready PDF."))
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help=_("Print the version and exit."))] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="zh|en", callback=_choose_language, is_eager=True,
                                             help=_("The language of messages and help: zh (Chinese) or en "
                                                    "(English); give it before the command. Default: "
                                                    "KMYREPORT_LANG, else the locale (zh_CN: Chinese)."))] = None,
) -> None:
    """The options before any command: --version, --lang."""


def run(action: Callable[[], T], debug: bool) -> T:
    """Call `action`; turn user errors into clear lines (one per error, then how many) and exit code 1."""
    try:
        return action()
    except KmyError as exc:
        if debug:
            raise
        from .errors import KmyErrors

        for one in exc.errors if isinstance(exc, KmyErrors) else [exc]:
            print_error(one)
        if isinstance(exc, KmyErrors):
            err.print(exc.summary(), markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print(_("interrupted (Ctrl-C); nothing is left half-written, and the last good output stands"),
                  markup=False, soft_wrap=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # an internal fault, not the user's: say so, briefly
        if debug:
            raise
        print_error(f"{type(exc).__name__}: {exc}", template=_(
            "internal error: {message} (this is a bug in kmyreport; run again with --debug for the traceback)"))
        raise typer.Exit(2) from None


ManifestArgument = Annotated[Path, typer.Argument(help=_("The issue manifest, e.g. sources/2024-07/issue.yaml"))]


@app.command("compile", cls=LazyHelp, help=_("Compile an issue to PDF."))
def compile_command(
    manifest: ManifestArgument,
    edition: Annotated[str, typer.Option(help=_("Which edition to build: {editions}."))] = "print",
    level: Annotated[str | None, typer.Option(help=_("The level of an edition offered at several, e.g. the PDF/A "
                                                     "level of the archive edition (3a is also PDF/UA-1)."))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write the PDF here instead of "
                                                                         "out/<issue>/."))] = None,
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder (default: the nearest "
                                                          "folder above the manifest with layouts/)."))] = None,
    watch: Annotated[bool, typer.Option("--watch", help=_("Stay running and rebuild whenever a source, "
                                                          "photo, layout or font changes."))] = False,
    timings: Annotated[bool, typer.Option("--timings", help=_("Show the seconds spent in each stage."))] = False,
    overflow_warns: Annotated[bool, typer.Option("--overflow-warns", help=_(
        "A newspaper story that does not fit its area is a warning, not an error (what does not fit is "
        "not printed)."))] = False,
    png: Annotated[bool, typer.Option("--png", help=_("Also write one PNG per page beside the PDF (cropped to "
                                                      "the trim), for posting online."))] = False,
    dpi: Annotated[int, typer.Option(help=_("Resolution of the --png page images."))] = 150,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_("No progress display and no summary; "
                                                                "warnings and errors only."))] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=_("Build even when the output is up to date "
                                                                "(nothing it depends on changed since the last "
                                                                "build)."))] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=_(
        "Render the parts of the issue (each article that starts a page) in this many processes at once "
        "(default: the machine's cores, at most 4, once the issue is long enough to gain from it; 1: the whole issue "
        "in one process)."))] = None,
    debug: DebugOption = False,
) -> None:
    from .build import compile_issue

    if watch:
        from .watch import watch_issue

        def failed(exc: KmyError) -> None:
            print_error(exc, template=_("error: {message} (the last good PDF is kept; save again to retry)"))

        err.print(_("watching the workspace; Ctrl-C to stop"), markup=False)
        try:
            run(lambda: watch_issue(manifest, on_build=lambda r: report_build(r, timings), on_error=failed,
                                    edition=edition, level=level, workspace_root=workspace, output=output,
                                    cache=not no_cache, jobs=jobs),
                debug)
        except typer.Exit as stop:
            if stop.exit_code != 130:
                raise
        return
    with progress(_("compiling"), quiet):
        result = run(lambda: compile_issue(manifest, edition=edition, level=level, workspace_root=workspace,
                                           output=output, overflow="warn" if overflow_warns else "error",
                                           cache=not no_cache, jobs=jobs), debug)
    report_build(result, timings, quiet=quiet)
    if png:
        from .page_images import write_page_images

        with progress(_("writing page images"), quiet):
            images = run(lambda: write_page_images(result.output, dpi), debug)
        if not quiet:
            out.print(markup(ngettext("{wrote} {count} page image at {dpi} dpi: {first}",
                                      "{wrote} {count} page images at {dpi} dpi: {first} …", len(images)),
                             wrote=(_("wrote"), "green"), count=len(images), dpi=dpi,
                             first=display_path(images[0])), soft_wrap=True)


def markup(template: str, **values: object) -> str:
    """Rich markup for a translated `template` filled with `values`, all escaped; a value given as
    (text, style) is shown in that style ("wrote" in green)."""
    from rich.markup import escape

    filled = {}
    for name, value in values.items():
        if isinstance(value, tuple):
            text, style = value
            filled[name] = f"[{style}]{escape(str(text))}[/]"
        else:
            filled[name] = escape(str(value))
    return escape(template).format(**filled)


@contextmanager
def progress(what: str, quiet: bool = False) -> Iterator[None]:
    """A spinner with the elapsed time on the terminal (stderr) for work that takes more than about a
    second; nothing with --quiet or when stderr is not a terminal."""
    if quiet or not err.is_terminal:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                   transient=True)
    timer = threading.Timer(1.0, bar.start)  # short builds never show it
    bar.add_task(what, total=None)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        bar.stop()


#: The stages of a build as --timings names them.
STAGES = {"sources": N_("sources"), "photos": N_("photos"), "html": N_("html"), "layout+pdf": N_("layout+pdf"),
          "store": N_("store")}


def report_build(result: BuildResult, timings: bool = False, *, quiet: bool = False) -> None:
    for warning in result.warnings:
        print_warning(warning)
    if quiet:
        return
    size = result.size_bytes / 1_000_000
    counts = _("{pages} pages, {size} MB, {articles} articles, {photos} photos, {seconds} s, {warnings} warnings")
    line = markup(_("{done} {path}: {counts}"), done=(_("up to date") if result.cached else _("wrote"), "green"),
                  path=display_path(result.output),
                  counts=counts.format(pages=result.pages, size=f"{size:.1f}", articles=result.articles,
                                       photos=result.photos, seconds=f"{result.seconds:.1f}",
                                       warnings=len(result.warnings)))
    if result.cached:
        line += markup(_(" (nothing changed since the last build; --no-cache builds anyway)"))
    out.print(line, soft_wrap=True)
    if result.files:
        out.print("  " + _("and one PDF per page: {files}").format(
            files=", ".join(display_path(p) for p in result.files)), markup=False, soft_wrap=True)
    if timings:
        out.print("  " + " · ".join(_("{stage} {seconds} s").format(stage=_(STAGES.get(stage, stage)),
                                                                    seconds=f"{seconds:.2f}")
                                    for stage, seconds in result.timings.items()), markup=False, soft_wrap=True)
        if result.parts:
            out.print("  " + _("in {parts} parts: {rendered} rendered, {reused} as the last build left them, "
                               "{again} rendered again (their first page number or contents changed)").format(
                                   **result.parts), markup=False, soft_wrap=True)


@app.command("archive", cls=LazyHelp, help=_("Build archival PDF/A copies with their sources inside, validated, "
                                              "one issue after another."))
def archive_command(
    manifests: Annotated[list[str], typer.Argument(help=_("Issue manifests or glob patterns, e.g. "
                                                          "'sources/*/issue.yaml'."))],
    level: Annotated[str, typer.Option(help=_("PDF/A level: {archive_levels} (3a and 2a are also "
                                              "PDF/UA-1)."))] = "3a",
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder."))] = None,
    debug: DebugOption = False,
) -> None:
    from .build import compile_issue

    paths = expand_manifests(manifests)
    failed = 0
    for path in paths:
        try:
            result = run(lambda p=path: compile_issue(p, edition="archive", level=level,
                                                      workspace_root=workspace), debug)
        except typer.Exit:
            failed += 1
            continue
        report_build(result)
    if len(paths) > 1:
        done = _("{archived} of {total} issues archived").format(archived=len(paths) - failed, total=len(paths))
        if failed:
            done = _("{archived}, {failed} failed").format(archived=done, failed=failed)
        out.print(done, markup=False)
    if failed or not paths:
        raise typer.Exit(1)


@app.command("batch", cls=LazyHelp, help=_(
    "Build many issues, locally or on a cluster: a progress bar, then a table of every issue. A failure does not "
    "stop the others (exit 1 if any failed); issues whose outputs are up to date are skipped, so an interrupted "
    "batch picks up where it stopped."))
def batch_command(
    manifests: Annotated[list[str], typer.Argument(help=_("Issue manifests or glob patterns, e.g. "
                                                          "'sources/*/issue.yaml'."))],
    edition: Annotated[str, typer.Option(help=_("Which edition to build: {editions}."))] = "print",
    level: Annotated[str | None, typer.Option(help=_("The level of an edition offered at several (archive: "
                                                     "{archive_levels})."))] = None,
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder."))] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help=_("Build this many issues at once, each in "
                                                                    "its own local process."))] = 1,
    scheduler: Annotated[str | None, typer.Option(help=_(
        "Run on a Dask distributed cluster: the scheduler's address, e.g. tcp://HOST:8786. Its workers need "
        "kmyreport installed and must see the workspace at the same path (shared storage): they read the sources "
        "and write the PDFs there. Needs the cluster extra (pip install 'kmyreport[cluster]')."))] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=_("Build every issue, even those whose outputs "
                                                                "are up to date."))] = False,
    debug: DebugOption = False,
) -> None:
    from .batch import run_batch

    paths = expand_manifests(manifests)
    if not paths:
        raise typer.Exit(1)
    with batch_progress(len(paths)) as advance:
        outcomes = run(lambda: run_batch(paths, edition=edition, level=level, workspace_root=workspace, jobs=jobs,
                                         scheduler=scheduler, cache=not no_cache, on_done=advance), debug)
    report_batch(outcomes, debug)
    if any(outcome.failed for outcome in outcomes):
        raise typer.Exit(1)


@contextmanager
def batch_progress(total: int) -> Iterator[Callable]:
    """A progress bar over the issues on the terminal (stderr); quiet when stderr is not a terminal."""
    if not err.is_terminal:
        yield lambda outcome: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        from .batch import STATUS_TEXT

        task = bar.add_task(_("building"), total=total)

        def advance(outcome) -> None:  # noqa: ANN001
            status = _(STATUS_TEXT.get(outcome.status, outcome.status))
            bar.update(task, advance=1, description=f"{outcome.issue}: {status}")
        yield advance


def report_batch(outcomes: list, debug: bool = False) -> None:
    """The table of a batch: issue, edition, pages, seconds and status (a failure's one-line error)."""
    from rich.markup import escape
    from rich.table import Table

    from .batch import BUILT, STATUS_TEXT, UP_TO_DATE

    table = Table(box=None, pad_edge=False)
    for name, justify in ((_("issue"), "left"), (_("edition"), "left"), (_("pages"), "right"),
                          (_("seconds"), "right"), (_("status"), "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for outcome in outcomes:
        status = {BUILT: f"[green]{escape(_(STATUS_TEXT[BUILT]))}[/]", UP_TO_DATE: escape(_(STATUS_TEXT[UP_TO_DATE]))}.get(
            outcome.status, f"[bold red]{escape(_(STATUS_TEXT['FAILED']))}[/] {escape(outcome.error or '')}")
        table.add_row(escape(outcome.issue), outcome.edition, "" if outcome.pages is None else str(outcome.pages),
                      f"{outcome.seconds:.1f}", status)
    out.print(table, soft_wrap=True)
    for outcome in outcomes:
        for warning in outcome.warnings:
            print_warning(f"{outcome.issue}: {warning}")
        if debug and outcome.detail:
            err.print(outcome.detail, markup=False, soft_wrap=True)
    failed = sum(outcome.failed for outcome in outcomes)
    fresh = sum(outcome.status == "up to date" for outcome in outcomes)
    out.print(ngettext("{built} built, {fresh} up to date, {failed} failed of {total} issue",
                       "{built} built, {fresh} up to date, {failed} failed of {total} issues", len(outcomes)).format(
        built=len(outcomes) - failed - fresh, fresh=fresh, failed=failed, total=len(outcomes)),
        markup=False, soft_wrap=True)


def expand_manifests(patterns: list[str]) -> list[Path]:
    """Paths and glob patterns (expanded here too, for shells that do not) → manifest paths."""
    import glob
    paths: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            print_error(_("no manifest matches {pattern}").format(pattern=pattern))
        paths.extend(Path(match) for match in matches)
    return list(dict.fromkeys(paths))


@app.command("fit", cls=KmyCommand, help=_("How many 字 and lines each newspaper story is over or under its area "
                                           "(no PDF is written)."))
def fit_command(
    manifest: Annotated[Path, typer.Argument(help=_("A newspaper issue's manifest, e.g. "
                                                    "sources/2024-08-daily/issue.yaml"))],
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the report as JSON."))] = False,
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder."))] = None,
    debug: DebugOption = False,
) -> None:
    import json

    from .newspaper.fit import fit_issue

    report = run(lambda: fit_issue(manifest, workspace), debug)
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(report.to_text(), end="", markup=False, soft_wrap=True)
    if report.over():
        raise typer.Exit(1)


@app.command("verify", cls=KmyCommand, help=_(
    "Check archive copies: veraPDF plus kmyreport's own checks, one verdict per file.\n\n"
    "Exit codes (the worst file decides):\n"
    "0 every file compliant: validated by veraPDF (a print file's PDF/X: by the own checks)\n"
    "1 a check failed\n"
    "3 the own checks pass but veraPDF did not run (not installed, or --no-verapdf): not validated\n\n"
    "'./dev verapdf' installs veraPDF."))
def verify_command(
    files: Annotated[list[Path], typer.Argument(help=_("PDF files to check."))],
    no_verapdf: Annotated[bool, typer.Option("--no-verapdf", help=_("Own checks only: the verdict is then "
                                                                    "'not validated' (exit 3) at best."))] = False,
    debug: DebugOption = False,
) -> None:
    from .verify import ADVICE, NOT_COMPLIANT, NOT_VALIDATED, verify_pdf, worst_exit_code

    colours = {NOT_COMPLIANT: "bold red", NOT_VALIDATED: "yellow"}
    verdicts = []
    for path in files:
        verdict = run(lambda p=path: verify_pdf(p, use_verapdf=not no_verapdf), debug)
        verdicts.append(verdict)
        claims = " + ".join(verdict.claims) or _("no PDF/A claim")
        checks = _("{passed}/{total} own checks").format(passed=sum(c.ok for c in verdict.checks),
                                                         total=len(verdict.checks))
        vera = (_("veraPDF not run") if verdict.verapdf is None else _("veraPDF {results}").format(
            results=_(", ").join((_("{flavour} pass") if r.compliant else _("{flavour} FAIL")).format(
                flavour=r.flavour) for r in verdict.verapdf)))
        colour = colours.get(verdict.status, "green")
        out.print(markup(_("{verdict} — {path}: {claims}; {checks}; {verapdf}"),
                         verdict=(verdict.headline(), colour), path=display_path(path), claims=claims,
                         checks=checks, verapdf=vera), soft_wrap=True)
        for failure in verdict.failures():
            out.print(f"    - {failure}", markup=False, soft_wrap=True)
        if verdict.notes:
            out.print("    " + _("note: {note}").format(note=verdict.note_text()), markup=False, soft_wrap=True)
    reasons = {v.not_run for v in verdicts if v.status == NOT_VALIDATED}
    for reason in sorted(reasons & ADVICE.keys()):
        err.print(_(ADVICE[reason]), markup=False, soft_wrap=True)
    raise typer.Exit(worst_exit_code(verdicts))


@app.command("check", cls=KmyCommand, help=_(
    "Preflight an issue as a printer would: glyphs, photo resolution, boxes, colour, rich black, ink, fonts, "
    "safety margin. Exit 0 when clean, 1 for warnings with --strict, 2 for errors."))
def check_command(
    manifest: ManifestArgument,
    edition: Annotated[str, typer.Option(help=_("The edition to check (print: the printer's checks)."))] = "print",
    level: Annotated[str | None, typer.Option(help=_("The level of an edition offered at several."))] = None,
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder."))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the findings as JSON."))] = False,
    strict: Annotated[bool, typer.Option("--strict", help=_("Exit 1 on warnings too."))] = False,
    no_render: Annotated[bool, typer.Option("--no-render", help=_("The sources only (glyphs, photo "
                                                                  "resolution): fast, no PDF."))] = False,
    debug: DebugOption = False,
) -> None:
    import json

    from rich.markup import escape

    from .check import check_issue

    report = run(lambda: check_issue(manifest, edition=edition, level=level, workspace_root=workspace,
                                     render=not no_render), debug)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(strict), ensure_ascii=False, indent=2) + "\n")
    else:
        for finding in report.findings:
            colour = "bold red" if finding.severity == "error" else "yellow"
            where = f"{finding.where()}: " if finding.where() else ""
            label = _("error:") if finding.severity == "error" else _("warning:")
            out.print(f"{escape(where)}[{colour}]{escape(label)}[/]{'' if label.endswith('：') else ' '}"
                      f"{escape(finding.message)} [dim]({finding.code})[/]",
                      soft_wrap=True)
        verdict = _("clean") if not report.findings else _("{errors} errors, {warnings} warnings").format(
            errors=len(report.errors), warnings=len(report.warnings))
        rendered = "" if report.rendered else _(" (sources only: not rendered)")
        out.print(_("{manifest} ({edition}): {verdict}{rendered}").format(
            manifest=display_path(manifest), edition=report.edition, verdict=verdict, rendered=rendered),
            markup=False, soft_wrap=True)
    raise typer.Exit(report.exit_code(strict))


@app.command("layouts", cls=KmyCommand, help=_("List the workspace's layouts: description, the layout each "
                                               "extends, and their tokens."))
def layouts_command(
    workspace: Annotated[Path, typer.Option(help=_("The workspace folder (the one that holds "
                                                   "layouts/)."))] = Path("."),
    debug: DebugOption = False,
) -> None:
    from rich.markup import escape

    from .layouts import list_layouts
    from .workspace import find_workspace

    found = run(lambda: list_layouts(find_workspace(workspace / "layouts", workspace)), debug)
    for item in found:
        if isinstance(item, KmyError):
            out.print(markup(_("{broken} {error}"), broken=(_("broken"), "bold red"), error=item), soft_wrap=True)
            continue
        config = item.config
        parent = _(" (extends {parent})").format(parent=config.extends) if config.extends else ""
        out.print(f"[bold]{escape(config.name)}[/]{escape(parent)}: {escape(config.description)}", soft_wrap=True)
        tokens = ", ".join(f"{key}={value}" for key, value in config.tokens.items())
        out.print("    " + _("tokens: {tokens}").format(tokens=tokens or _("none")), markup=False, soft_wrap=True)


@app.command("preview", cls=KmyCommand, help=_("Serve the issue's pages on 127.0.0.1; the page updates itself "
                                               "after every save."))
def preview_command(
    manifest: ManifestArgument,
    port: Annotated[int, typer.Option(help=_("The port on 127.0.0.1 to serve the preview on."))] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help=_("Open the preview in the web browser."))] = False,
    edition: Annotated[str, typer.Option(help=_("The edition shown first (the page switches): screen, the "
                                                "quickest to build, has the print edition's pages without bleed "
                                                "and CMYK."))] = "screen",
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder (default: the nearest "
                                                          "folder above the manifest with layouts/)."))] = None,
    debug: DebugOption = False,
) -> None:
    from .preview import serve_preview

    def ready(url: str) -> None:
        err.print(_("previewing at {url} (rebuilds on every change in the workspace); Ctrl-C to stop").format(
            url=url), markup=False)

    try:
        run(lambda: serve_preview(manifest, port=port, open_browser=open_browser, workspace_root=workspace,
                                  edition=edition, on_ready=ready), debug)
    except typer.Exit as stop:
        if stop.exit_code != 130:
            raise


@app.command("import", cls=KmyCommand, help=_(
    "Turn raw correspondent copy into an article source that compiles as it is.\n\n"
    "With -o sources/<id>/articles/x.md, photos from outside the issue are copied into its photos/. It then says "
    "which line lists the article in sources/<id>/issue.yaml; --add writes it there."))
def import_command(
    raw: Annotated[Path, typer.Argument(help=_("A correspondent's raw text file (UTF-8, UTF-16 or GBK)."))],
    photos: Annotated[Path | None, typer.Option("--photos", help=_("Folder of the photos, matched to the "
                                                                   "captions in order of file name."))] = None,
    title: Annotated[str | None, typer.Option(help=_("The headline, when the copy has none."))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_(
        "Write the article source here, e.g. sources/2024-07/articles/name.md (default: print it)."))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Print the import report; write "
                                                              "nothing."))] = False,
    force: Annotated[bool, typer.Option("--force", help=_("Replace an existing article source."))] = False,
    add: Annotated[bool, typer.Option("--add", help=_(
        "Also list the article in its issue's manifest (with -o sources/<id>/articles/x.md: at the end of the "
        "last section's articles in sources/<id>/issue.yaml, comments and layout kept)."))] = False,
    debug: DebugOption = False,
) -> None:
    from .ingest import import_raw, photo_prefix, save_article

    if add and output is None:
        from .manifest_edit import ADD_NEEDS_OUTPUT

        print_error(_(ADD_NEEDS_OUTPUT))
        raise typer.Exit(1)
    prefix = photo_prefix(photos, output)
    result = run(lambda: import_raw(raw, photos_dir=photos, title=title, photo_prefix=prefix), debug)
    if dry_run:
        out.print(result.report.to_text(), end="", markup=False, soft_wrap=True)
        return
    if output is None:
        sys.stdout.write(result.article_source)
    else:
        copied = run(lambda: save_article(result, output, replace=force), debug)
        for path in copied:
            err.print(_("copied {path}").format(path=display_path(path)), markup=False, soft_wrap=True)
    report = result.report
    for warning in report.warnings:
        print_warning(warning)
    summary = _("{authors} authors, {photos} photos, {changes} punctuation changes, {dropped} lines dropped; "
                "--dry-run shows the full report").format(
        authors=len(result.front_matter.get("authors") or []), photos=len(report.photos),
        changes=len(report.changes), dropped=len(report.dropped))
    if output is not None:
        err.print(markup(_("{wrote} {path}: {summary}"), wrote=(_("wrote"), "green"), path=display_path(output),
                         summary=summary), soft_wrap=True)
        for photo in report.photos:  # which file went with which caption
            err.print(f"  {photo.pairing()}", markup=False, soft_wrap=True)
        from .manifest_edit import add_to_manifest, listing_for

        listing = listing_for(output)
        if add:
            done = run(lambda: add_to_manifest(listing), debug)
            err.print(done, markup=False, soft_wrap=True)
        else:
            err.print(listing.hint(suggest_add=True), markup=False, soft_wrap=True)


@app.command("schema", cls=KmyCommand, help=_(
    "Write the JSON Schemas of issue.yaml, article front matter and layout.yaml (for editors that complete keys "
    "and underline mistakes as you type: VS Code's YAML extension, yaml-language-server)."))
def schema_command(
    output: Annotated[Path, typer.Option("--output", "-o", help=_("The folder to write the schemas "
                                                                  "into."))] = Path("schemas"),
    check: Annotated[bool, typer.Option("--check", help=_("Write nothing; exit 1 when a schema in the folder is "
                                                          "missing or differs from what this kmyreport "
                                                          "accepts."))] = False,
    debug: DebugOption = False,
) -> None:
    from .schema import stale_schemas, write_schemas

    if check:
        stale = run(lambda: stale_schemas(output), debug)
        for path in stale:
            err.print(_("{path} is out of date; run kmyreport schema --output {folder}").format(
                path=display_path(path), folder=display_path(output)), markup=False, soft_wrap=True)
        if stale:
            raise typer.Exit(1)
        out.print(_("{folder}: the schemas are up to date").format(folder=display_path(output)), markup=False,
                  soft_wrap=True)
        return
    for path, changed in run(lambda: write_schemas(output), debug):
        out.print(_("{done} {path}").format(done=_("wrote") if changed else _("up to date"), path=display_path(path)),
                  markup=False, soft_wrap=True)


new_app = typer.Typer(no_args_is_help=True, cls=KmyGroup,
                      help=_("Start something new from what is there: kmyreport new issue ID."))
app.add_typer(new_app, name="new")


@new_app.command("issue", cls=KmyCommand, help=_(
    "Make sources/ID/ from the previous issue: publication, layout, editors and tokens copied, the number one "
    "more, the next date, and one placeholder article listed, so that it compiles as it is."))
def new_issue_command(
    issue_id: Annotated[str, typer.Argument(metavar="ID", help=_("The new issue's id: its folder under sources/, "
                                                                 "e.g. 2024-08."))],
    source: Annotated[str | None, typer.Option("--from", help=_(
        "The issue to start from: an id under sources/, or its folder or issue.yaml (default: the latest issue "
        "of the same series, by date)."))] = None,
    date: Annotated[str | None, typer.Option(help=_("The new issue's date, YYYY-MM-DD (default: the previous "
                                                    "date plus the usual interval between issues)."))] = None,
    workspace: Annotated[Path | None, typer.Option(help=_("The workspace folder (default: the nearest folder "
                                                          "with layouts/, from here up)."))] = None,
    debug: DebugOption = False,
) -> None:
    from .new_issue import new_issue

    def make():  # noqa: ANN202
        from .workspace import find_workspace

        root = find_workspace(Path.cwd() / "sources" / "issue.yaml", workspace).root
        return new_issue(issue_id, root, source=source, date=date)

    made = run(make, debug)
    out.print(made.summary(), markup=False, soft_wrap=True)


def main() -> None:  # console-script entry point
    sys.exit(app())
