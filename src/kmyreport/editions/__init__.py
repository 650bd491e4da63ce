"""Editions as strategies: what differs between the PDFs made from one issue.

An edition is one entry in a registry. It declares

- its PDF variant (`pdf_variant`) and output file (`file_suffix`);
- the variables it hands the layout's stylesheet and templates (`stylesheet`:
  bleed, crop marks, image rendering, colour space, …) as `edition.<name>`;
- its photo policy (`photos`: resolution and colour);
- its post-processing of the render (`render_extras`: attachments, an XMP
  transform);
- how its result is stored (`store`: an atomic write, or validate-then-replace
  with a sidecar);
- the checks `kmyreport verify` runs on a file of it (`verify_checks`, names of
  checks in `verify.CHECKS`, and `claims`, the conformance a file of it declares).

The pipeline (`build.py`) asks the edition and never branches on its name.
Adding an edition is adding one module: every module of this package that
defines `EDITIONS` (a list of `Edition`s) is registered when the registry is
first used, and so are the editions that installed packages offer under the
entry-point group `kmyreport.editions`; `register` adds one at run time.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import KmyError
from ..files import write_bytes_atomic
from ..i18n import _

if TYPE_CHECKING:
    from ..build import PreparedIssue
    from ..render import Attachment

ENTRY_POINT_GROUP = "kmyreport.editions"
BUILT_IN = ("print", "screen", "archive")  # listed first, in this order; other modules follow by name


@dataclass(frozen=True)
class PhotoPolicy:
    """How an edition wants its photos prepared."""

    ppi: int | None = None         # None: the layout's target resolution
    colour: str = "rgb"            # the colour space of the placed photos


#: What the stylesheet gets from an edition unless the edition says otherwise.
DEFAULT_STYLESHEET: Mapping[str, Any] = MappingProxyType({
    "bleed_mm": 0,                  # bleed beyond the trim on every side
    "marks": "none",                # crop marks (CSS `marks`)
    "image_rendering": "crisp-edges",  # never /Interpolate (PDF/A forbids it; presses do not want it)
    "colour_space": "rgb",          # colours of text and rules
})


@dataclass(frozen=True)
class RenderExtras:
    """An edition's additions to a render: embedded files and a change to the XMP packet."""

    attachments: tuple[Attachment, ...] = ()
    xmp_transform: Any = None      # Callable[[bytes], bytes] | None, picklable
    plan: Any = None               # what the edition's `store` needs to know about this render
    output_intent: tuple[tuple[str, str], ...] = ()  # entries of the PDF's output intent (PDF/X)


@dataclass(frozen=True)
class Edition:
    """One kind of PDF made from an issue. Subclass to change storage or post-processing."""

    name: str                      # the registry key, as given to --edition
    description: str               # one line for the CLI's help
    file_suffix: str = ""          # out/<issue>/<issue><suffix>.pdf
    pdf_variant: str | None = None  # a WeasyPrint pdf_variant, e.g. "pdf/a-3a"
    photos: PhotoPolicy = PhotoPolicy()
    stylesheet: Mapping[str, Any] = field(default_factory=lambda: DEFAULT_STYLESHEET)
    family: str = ""               # editions offered at several levels share a family ("archive")
    level: str | None = None       # this entry's level within its family ("3a")
    claims: tuple[str, ...] = ()   # what a file of this edition declares, e.g. ("PDF/A-3A", "PDF/UA-1")
    verify_checks: tuple[str, ...] = ()  # names in verify.CHECKS

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.name)
        object.__setattr__(self, "stylesheet", MappingProxyType({**DEFAULT_STYLESHEET, **self.stylesheet}))

    def file_name(self, issue_id: str) -> str:
        return f"{issue_id}{self.file_suffix}.pdf"

    def context(self) -> dict[str, Any]:
        """What templates and the stylesheet see as `edition`."""
        return {"name": self.family, "level": self.level, **self.stylesheet}

    def render_extras(self, issue: PreparedIssue) -> RenderExtras:
        """Attachments and an XMP transform for this issue's render; none by default."""
        return RenderExtras()

    def store(self, issue: PreparedIssue, extras: RenderExtras, pdf: bytes, target: Path,
              *, validate: bool) -> list[str]:
        """Put the finished PDF in place; returns warnings. By default an atomic write."""
        write_bytes_atomic(target, pdf)
        return []


_REGISTRY: dict[str, Edition] = {}
_DEFAULT_LEVELS: dict[str, str] = {}   # family → the level `--edition family` means
_loaded = False


def register(edition: Edition, *, default_level: bool = False) -> Edition:
    """Add an edition to the registry (a later entry of the same name replaces the earlier one)."""
    _REGISTRY[edition.name] = edition
    if default_level and edition.level is not None:
        _DEFAULT_LEVELS[edition.family] = edition.level
    return edition


def unregister(name: str) -> None:
    """Remove an edition from the registry (tests, plug-ins that withdraw one)."""
    edition = _REGISTRY.pop(name, None)
    if edition is not None and edition.level is not None and _DEFAULT_LEVELS.get(edition.family) == edition.level:
        del _DEFAULT_LEVELS[edition.family]


def register_module(module: ModuleType) -> list[Edition]:
    """Register the editions a module lists in `EDITIONS` (its `DEFAULT_LEVEL`, if any, is the default)."""
    _load()
    listed = list(getattr(module, "EDITIONS", ()))
    _register_all(listed, getattr(module, "DEFAULT_LEVEL", None))
    return listed


def _load() -> None:
    """Register the editions of this package's modules and of installed plug-ins, once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    names = sorted((m.name for m in pkgutil.iter_modules(__path__)),
                   key=lambda name: (BUILT_IN.index(name) if name in BUILT_IN else len(BUILT_IN), name))
    for name in names:
        register_module(importlib.import_module(f"{__name__}.{name}"))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        register_module(entry.load())


def _register_all(editions: Iterable[Edition], default_level: str | None) -> None:
    for edition in editions:
        register(edition, default_level=edition.level == default_level)


def all_editions() -> list[Edition]:
    _load()
    return list(_REGISTRY.values())


def families() -> dict[str, list[Edition]]:
    """Editions grouped by family, in registry order: {"print": [...], "archive": [3a, 3b, …]}."""
    grouped: dict[str, list[Edition]] = {}
    for edition in all_editions():
        grouped.setdefault(edition.family, []).append(edition)
    return grouped


def get_edition(name: str, level: str | None = None) -> Edition:
    """The edition `--edition name [--level level]` means, or a `KmyError` listing the choices."""
    grouped = families()
    members = grouped.get(name)
    if members is None:
        entry = _REGISTRY.get(name)
        if entry is not None and level is None:
            return entry
        raise KmyError(_("unknown edition '{name}'; choose one of: {choices}").format(
            name=name, choices=", ".join(grouped)))
    leveled = [edition for edition in members if edition.level is not None]
    if not leveled:
        if level is not None:
            with_levels = [family for family, group in grouped.items() if any(e.level for e in group)]
            raise KmyError(_("--level applies to the {editions} edition only, not '{name}'").format(
                editions=_(" and ").join(with_levels) or "leveled", name=name))
        return members[0]
    wanted = normalise_level(level) if level is not None else _DEFAULT_LEVELS.get(name, leveled[0].level)
    for edition in leveled:
        if edition.level == wanted:
            return edition
    choices = ", ".join(e.level or "" for e in leveled)
    if name == "archive":
        raise KmyError(_("unknown PDF/A level '{level}'; choose one of: {choices}").format(level=level, choices=choices))
    raise KmyError(_("unknown {edition} level '{level}'; choose one of: {choices}").format(
        edition=name, level=level, choices=choices))


def normalise_level(level: str) -> str:
    """`PDF/A-3a`, `pdfa-3a`, `a-3a`, `3A` → `3a`."""
    return level.lower().removeprefix("pdf/a-").removeprefix("pdfa-").removeprefix("a-")


def edition_for_claims(claims: list[str]) -> Edition | None:
    """The registered edition whose files declare exactly these conformance claims."""
    wanted = tuple(claim.upper() for claim in claims)
    for edition in all_editions():
        if edition.claims and tuple(claim.upper() for claim in edition.claims) == wanted:
            return edition
    return None


def help_text() -> str:
    """The editions for `--edition`'s help: names, levels and descriptions."""
    lines = []
    for family, members in families().items():
        levels = [e.level for e in members if e.level]
        if levels:
            default = _DEFAULT_LEVELS.get(family, levels[0])
            lines.append(_("{edition} (--level {levels}; default {default})").format(
                edition=family, levels=", ".join(levels), default=default))
        else:
            lines.append(_("{edition}: {description}").format(edition=family, description=_(members[0].description)))
    return _("; ").join(lines)
