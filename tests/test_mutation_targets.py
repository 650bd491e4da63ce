"""Fast unit tests written against mutmut's survivors (#14): each one pins a behaviour a mutant
changed without any other test noticing. Expected values are written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from kmyreport.errors import KmyError
from kmyreport.workspace import VIRTUAL_ROOT, Workspace, find_workspace

# --- workspace -----------------------------------------------------------------------------------


def _ws(tmp_path: Path) -> Workspace:
    (tmp_path / "ws" / "layouts").mkdir(parents=True)
    (tmp_path / "ws" / "sources" / "t" / "photos").mkdir(parents=True)
    return Workspace((tmp_path / "ws").resolve())


def test_workspace_folders(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    root = tmp_path.resolve() / "ws"
    assert (ws.layouts_dir, ws.fonts_dir, ws.out_dir, ws.cache_dir) == (
        root / "layouts", root / "fonts", root / "out", root / "out" / ".cache")


def test_workspace_urls_are_location_independent_and_round_trip(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    photo = ws.root / "sources" / "t" / "photos" / "晨光 1#.jpg"
    photo.write_bytes(b"x")
    url = ws.url(photo)
    assert url == "file:///kmyreport-workspace/sources/t/photos/%E6%99%A8%E5%85%89%201%23.jpg"
    assert ws.url(ws.root / "sources" / "t") == "file:///kmyreport-workspace/sources/t/"
    assert ws.path_of(url) == photo
    assert ws.path_of(url + "?v=2#top") == photo
    assert ws.path_of(VIRTUAL_ROOT + "a/b.css#x?y") == ws.root / "a" / "b.css"
    assert ws.path_of("file:///etc/passwd") is None
    assert ws.path_of("https://example.com/kmyreport-workspace/a") is None


def test_workspace_contains_follows_links(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    inside = ws.root / "sources" / "t" / "a.md"
    inside.write_text("x")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    link = ws.root / "sources" / "t" / "link.txt"
    link.symlink_to(outside)
    assert ws.contains(inside) and ws.contains(ws.root)
    assert not ws.contains(outside)
    assert not ws.contains(link), "a link out of the workspace is outside it"
    assert not ws.contains(ws.root / ".." / "secret.txt")


def test_find_workspace(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    manifest = ws.root / "sources" / "t" / "issue.yaml"
    assert find_workspace(manifest) == ws
    (ws.root / "sources" / "layouts").mkdir()  # the nearest folder with layouts/ wins
    assert find_workspace(manifest).root == ws.root / "sources"
    assert find_workspace(manifest, ws.root) == ws
    with pytest.raises(KmyError, match=r"^workspace .* has no layouts/ folder; point --workspace at") as caught:
        find_workspace(manifest, tmp_path)
    assert caught.value.file is None
    lonely = tmp_path / "elsewhere" / "issue.yaml"
    with pytest.raises(KmyError, match=r": no workspace found: no folder above this manifest has a layouts/ folder; keep issues") as caught:
        find_workspace(lonely)
    assert caught.value.file == lonely
