"""An issue's photos prepared for the build: several to convert go to processes (build._prepare_photos),
with the same results, warnings in issue order, and errors at their article's line."""

from __future__ import annotations

import pytest

from kmyreport.build import PHOTO_PROCESSES_FROM, prepare_issue
from kmyreport.errors import KmyError

from .conftest import Scratch, jpeg_bytes

COUNT = PHOTO_PROCESSES_FROM + 2


def issue_with_photos(ws: Scratch, broken: int | None = None) -> None:
    lines = ["---", "title: 图片很多的稿件", "---", "", "正文第一段。", ""]
    for n in range(COUNT):
        lines += [f"![第{n}张图片。](photos/p{n}.jpg \"通讯员 某某 摄\")", ""]
        data = b"not a jpeg at all" if n == broken else jpeg_bytes(400 + 50 * n, 300, (20 * n, 90, 160))
        ws.write(f"sources/t/photos/p{n}.jpg", data)
    ws.write("sources/t/articles/a.md", "\n".join(lines) + "\n")
    ws.write("sources/t/issue.yaml", "publication: {name: 克拉玛依融媒}\nissue: {number: 1, date: 2024-05-01}\n"
             "sections:\n  - articles:\n      - articles/a.md\n")


def test_photos_converted_in_processes_keep_their_order_sizes_and_warnings(workspace: Scratch) -> None:
    issue_with_photos(workspace)
    issue = prepare_issue(workspace.manifest(), edition="screen")
    photos = issue.articles[0].photos
    assert len(photos) == COUNT
    html = issue.html
    positions = [html.index(f"第{n}张图片。") for n in range(COUNT)]
    assert positions == sorted(positions)
    # every photo is smaller than 150 ppi at column width: one warning each, in the order of the copy
    warned = [w for w in issue.warnings if "ppi" in w]
    assert [f"p{n}.jpg" in w for n, w in enumerate(warned)] == [True] * COUNT
    again = prepare_issue(workspace.manifest(), edition="screen")  # all in the cache now: threads, same result
    assert again.html == html and again.warnings == issue.warnings


def test_a_broken_photo_among_many_is_reported_at_its_line(workspace: Scratch) -> None:
    issue_with_photos(workspace, broken=3)
    with pytest.raises(KmyError) as failed:
        prepare_issue(workspace.manifest(), edition="screen")
    assert failed.value.file is not None and str(failed.value.file).endswith("a.md")
    assert failed.value.line == 7 + 2 * 3 and "p3.jpg" in str(failed.value)
