"""Loading manifests and article sources: values, defaults and exact error positions."""

from __future__ import annotations

import datetime as dt

import pytest

from kmyreport.articles import Author, build_byline, load_article
from kmyreport.errors import KmyError
from kmyreport.manifest import load_manifest
from kmyreport.workspace import find_workspace

from .conftest import ARTICLE, MANIFEST, Scratch


def test_manifest_values_and_defaults(small_issue: Scratch) -> None:
    loaded = load_manifest(small_issue.manifest())
    assert loaded.model.issue.date == dt.date(2024, 3, 1)
    assert loaded.model.layout == "bulletin" and loaded.issue_id == "t"
    assert [rel for _, rel in loaded.article_entries()] == ["articles/a.md"]


@pytest.mark.parametrize("edit, line, column, words", [
    (("  date: 2024-03-01", "  date: 2024-13-01"), 5, 9, "YYYY-MM-DD"),
    (("  number: 3", "  number: -1"), 4, 11, "should be 1 or more"),
    (("      - articles/a.md", "      - {path: articles/a.md}"), 9, 9, "sections[0].articles[0]"),
    (("publication:", "publication:\n  name: 重复\n"), 4, 3, "key given twice"),
    (("sections:", "sectoins:"), 6, 1, "did you mean 'sections'"),
    (("      - articles/a.md", "      - articles/a.md\n      - articles/a.md"), 10, 9, "listed twice"),
])
def test_manifest_errors_point_at_the_value(small_issue: Scratch, edit, line, column, words) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST.replace(*edit))
    with pytest.raises(KmyError) as caught:
        load_manifest(small_issue.manifest())
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert words in str(error)


def test_article_front_matter_and_photos(small_issue: Scratch) -> None:
    ws = find_workspace(small_issue.manifest())
    article = load_article(small_issue.issue_dir() / "articles" / "a.md", small_issue.issue_dir(), ws)
    assert article.front.title == "测试标题"
    assert article.byline == "克拉玛依融媒通讯员 张纪东"
    [photo] = article.photos
    assert (photo.caption, photo.credit) == ("克拉玛依市友谊大桥。", "克拉玛依融媒通讯员 田治民 摄")
    assert photo.line == ARTICLE.split("\n").index(next(x for x in ARTICLE.split("\n") if "p.jpg" in x)) + 1


def test_article_without_front_matter_is_an_error(small_issue: Scratch) -> None:
    small_issue.write("sources/t/articles/a.md", "只有正文。\n")
    ws = find_workspace(small_issue.manifest())
    with pytest.raises(KmyError, match="must start with front matter") as caught:
        load_article(small_issue.issue_dir() / "articles" / "a.md", small_issue.issue_dir(), ws)
    assert caught.value.line == 1


def test_byline_groups_organisation_and_roles() -> None:
    authors = [Author(name="王某", role="记者", org="克拉玛依融媒"),
               Author(name="赵某", role="通讯员", org="克拉玛依融媒"),
               Author(name="钱某", role="通讯员", org="克拉玛依融媒"),
               Author(name="肉孜麦麦提·巴克", role="特约记者", org="新疆日报")]
    assert build_byline(authors) == "克拉玛依融媒记者 王某 通讯员 赵某 钱某　新疆日报特约记者 肉孜麦麦提·巴克"


def test_an_issue_folder_stands_for_its_manifest(small_issue: Scratch) -> None:
    assert load_manifest(small_issue.issue_dir()).path == small_issue.manifest()
