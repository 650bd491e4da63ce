"""Step 4: give photo blocks their files, and copy the matched files into the issue."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import KmyError
from ..i18n import _, ngettext
from .model import Recognised
from .report import ImportReport, ImportResult, PhotoRecord, name_list

PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"}


def assign_photos(
    found: Recognised, photos_dir: Path | None, photo_prefix: str, report: ImportReport
) -> None:
    """Give each photo block a path: the files of `photos_dir` in name order, else placeholders."""
    files = _photo_files(photos_dir) if photos_dir is not None else []
    photos = [block for block in found.blocks if block.kind == "photo"]
    for number, block in enumerate(photos, start=1):
        missing = number > len(files)
        block.path = photo_prefix + (f"MISSING-{number}.jpg" if missing else files[number - 1].name)
        report.photos.append(
            PhotoRecord(block.line, block.text, block.credit, block.credit_names, block.path, missing,
                        None if missing else files[number - 1])
        )
    if photos_dir is None and photos:
        report.warnings.append(ngettext(
            "no photo folder given: {count} photo has the placeholder file name MISSING-n.jpg; add the photo",
            "no photo folder given: {count} photos have the placeholder file name MISSING-n.jpg; add the photos",
            len(photos)).format(count=len(photos)))
    elif len(files) < len(photos):
        report.warnings.append(ngettext(
            "the photo folder has only {files} photo file for {captions} captions; from photo {first} on the "
            "placeholder file name MISSING-n.jpg is used",
            "the photo folder has only {files} photo files for {captions} captions; from photo {first} on the "
            "placeholder file name MISSING-n.jpg is used", len(files)).format(
            files=len(files), captions=len(photos), first=len(files) + 1))
    elif len(files) > len(photos):
        unused = name_list([f.name for f in files[len(photos) :]])
        report.warnings.append(ngettext(
            "{count} file in the photo folder has no caption: {files}",
            "{count} files in the photo folder have no caption: {files}", len(files) - len(photos)).format(
            count=len(files) - len(photos), files=unused))


def _photo_files(photos_dir: Path) -> list[Path]:
    if not photos_dir.is_dir():
        raise KmyError(_("photo folder not found (or not a folder)"), file=photos_dir)
    return sorted(
        (p for p in photos_dir.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_EXTENSIONS),
        key=lambda p: p.name,
    )


def copy_photos(result: ImportResult, issue_folder: Path) -> list[Path]:
    """Copy the matched photos to where the article refers to them (inside `issue_folder`).

    Files already in place are left alone; a different file under the same name is an error,
    raised before anything is copied. Returns the files copied.
    """
    plan = []
    for photo in result.report.photos:
        if photo.source is None:
            continue
        target = issue_folder / photo.path
        if target.exists():
            if target.resolve() == photo.source.resolve() or target.read_bytes() == photo.source.read_bytes():
                continue
            raise KmyError(_("a different photo named {name} is already in the issue; rename one of them").format(
                name=target.name), file=target)
        plan.append((photo.source, target))
    for source, target in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return [target for _, target in plan]


def issue_folder_of(article_path: Path) -> Path:
    """The issue folder of an article source: `sources/<id>` for `sources/<id>/articles/x.md`."""
    folder = article_path.resolve().parent
    return folder.parent if folder.name == "articles" else folder


def photo_prefix(photos_dir: Path | None, article_path: Path | None) -> str:
    """How the article refers to its photos, relative to its issue folder: the photo folder's own
    path when it lies inside the issue, else `photos/` (where `copy_photos` puts them)."""
    if photos_dir is None or article_path is None:
        return "photos/"
    try:
        return photos_dir.resolve().relative_to(issue_folder_of(article_path)).as_posix().rstrip("/") + "/"
    except ValueError:
        return "photos/"
