"""`compile --watch`: one build, then another after each change; errors keep the last good PDF."""

from __future__ import annotations

import threading
import time

from kmyreport.watch import watch_issue

from .conftest import ARTICLE, Scratch


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_rebuilds_after_a_change_and_survives_an_error(small_issue: Scratch) -> None:
    builds, errors, stop = [], [], threading.Event()
    worker = threading.Thread(target=watch_issue, args=(small_issue.manifest(),),
                              kwargs={"on_build": builds.append, "on_error": errors.append, "stop": stop},
                              daemon=True)
    worker.start()
    try:
        assert wait_for(lambda: len(builds) == 1), "first build"
        first = small_issue.output().read_bytes()
        time.sleep(0.5)  # let the watcher settle after the first build's own writes in out/
        assert len(builds) == 1, "writing the PDF under out/ must not trigger a rebuild"

        small_issue.write("sources/t/articles/a.md", ARTICLE.replace("第二段正文。", "第二段正文，改过了。"))
        assert wait_for(lambda: len(builds) == 2), "rebuild after saving the article"
        second = small_issue.output().read_bytes()
        assert second != first

        small_issue.write("sources/t/articles/a.md", ARTICLE.replace("title: 测试标题", "titel: 测试标题"))
        assert wait_for(lambda: len(errors) == 1), "a broken save is reported"
        assert "titel" in str(errors[0]) and small_issue.output().read_bytes() == second
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
