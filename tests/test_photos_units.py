"""photos.py's pieces against values written by hand (#14): the placed size and pixel size, the
JPEG pass-through (what passes, what is refused, the metadata dropped), the decoder's errors and
the conversions to the output colour. Photos are made with Pillow in tmp_path. Fast: no render."""

from __future__ import annotations

import pytest

from kmyreport.photos import Placement, placed_size


@pytest.mark.parametrize(("size", "expected"), [
    ((2000, 1000), (80.0, 40.0)),
    ((1000, 2000), (50.0, 100.0)),
    ((3000, 1000), (80.0, 26.667)),
])
def test_placed_size(size: tuple[int, int], expected: tuple[float, float]) -> None:
    assert placed_size(*size, Placement(80, 100, 300)) == expected
