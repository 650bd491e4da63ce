"""The editor's desk: what an issue folder holds that the issue leaves out.

An article in the issue's `articles/` that the manifest does not list, and a photo in its
`photos/` that no article places, are not printed. That is rarely meant, so each is a
warning (the build still succeeds) that says what to add, or to move the file away.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .articles import Article
from .errors import display_path
from .i18n import _

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".gif", ".bmp", ".heic"}


def _visible_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part.startswith((".", "~")) for part in p.relative_to(folder).parts))


def leftover_warnings(issue_folder: Path, listed: Iterable[str], articles: list[Article], *,
                      newspaper: bool = False) -> list[str]:
    """Warnings for the articles in `articles/` the manifest does not list (`listed`: its paths,
    relative to the issue folder) and the photos in `photos/` no article places."""
    folder = issue_folder.resolve()
    warnings: list[str] = []
    wanted = {(folder / rel).resolve() for rel in listed}
    for path in _visible_files(folder / "articles"):
        if path.suffix.lower() != ".md" or path.resolve() in wanted:
            continue
        rel = Path(os.path.relpath(path, folder)).as_posix()
        if newspaper:
            warnings.append(_("{path}: not in issue.yaml, so not printed; add it to a page as a story with "
                              "'source: {rel}', or move it out of articles/").format(path=display_path(path), rel=rel))
        else:
            warnings.append(_("{path}: not in issue.yaml, so not printed; add '- {rel}' under a section's "
                              "articles, or move it out of articles/").format(path=display_path(path), rel=rel))
    placed = {photo.source.resolve() for article in articles for photo in article.photos}
    for path in _visible_files(folder / "photos"):
        if path.suffix.lower() not in PHOTO_SUFFIXES or path.resolve() in placed:
            continue
        rel = Path(os.path.relpath(path, folder)).as_posix()
        warnings.append(_("{path}: no article places this photo, so it is not printed; put "
                          "![caption]({rel} \"credit\") in an article where it belongs, or move it out of "
                          "photos/").format(path=display_path(path), rel=rel))
    return warnings
