"""YAML with positions: load a document and remember where every value came from.

Both the issue manifest and article front matter are YAML. Users need errors
that point at the exact line and column, so loading keeps a map from each
value's path (``("sections", 0, "articles", 2)``) to its position in the file,
and pydantic validation errors are translated into `KmyError`s through it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from .errors import KmyError

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded YAML document sits (1-based)."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of `loc`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = tuple(loc)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (None, None))


def load_yaml(text: str, file: Path, *, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse one YAML document; `first_line` is the file line where `text` starts."""
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise KmyError(f"YAML syntax error: {problem}; check the indentation, colons and quotes on this line",
                       file, line, column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked YAML errors are rare
        raise KmyError(f"YAML error: {exc}", file) from None
    positions = Positions()
    if node is None:
        return None, positions
    constructor = yaml.SafeLoader("")
    data = _build(node, (), positions, constructor, file, offset)
    return data, positions


def _build(node: yaml.Node, loc: Loc, positions: Positions, constructor: yaml.SafeLoader,
           file: Path, offset: int) -> Any:
    positions.values[loc] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise KmyError("a mapping key must be a plain word", file,
                               key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            key = str(key)
            if key in result:
                raise KmyError(f"{format_loc(loc + (key,))}: key given twice; keep one of them",
                               file, key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            positions.keys[loc + (key,)] = (key_node.start_mark.line + 1 + offset,
                                            key_node.start_mark.column + 1)
            result[key] = _build(value_node, loc + (key,), positions, constructor, file, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loc + (index,), positions, constructor, file, offset)
                for index, item in enumerate(node.value)]
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        raise KmyError(f"{format_loc(loc)}: cannot read the value {node.value!r} ({exc}); dates are "
                       "written YYYY-MM-DD", file, node.start_mark.line + 1 + offset,
                       node.start_mark.column + 1) from None


class StrictModel(pydantic.BaseModel):
    """The base of every model users write in YAML: unknown keys are errors, text is trimmed."""

    model_config = pydantic.ConfigDict(extra="forbid", str_strip_whitespace=True)


M = TypeVar("M", bound=pydantic.BaseModel)


def load_model(text: str, file: Path, model: type[M], what: str, expected: str, *,
               first_line: int = 1) -> tuple[M, Positions]:
    """Parse YAML and validate it into `model`; every problem becomes a located `KmyError`.

    `what` names the document in messages ("the manifest"); `expected` says what it should
    hold when it is not a mapping ("publication, issue and sections").
    """
    data, positions = load_yaml(text, file, first_line=first_line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise KmyError(f"{what} must be a mapping of keys ({expected})", file, first_line, 1)
    try:
        return model.model_validate(data), positions
    except pydantic.ValidationError as exc:
        raise validation_error(exc, model, data, positions, file, what) from None


def format_loc(loc: Loc) -> str:
    """`("sections", 0, "articles", 2)` → `sections[0].articles[2]`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


def validation_error(exc: pydantic.ValidationError, model: type[pydantic.BaseModel], data: Any,
                     positions: Positions, file: Path, what: str) -> KmyError:
    """Turn the first pydantic error into a `KmyError` at the right line and column."""
    errors = exc.errors(include_url=False)
    # A misspelt key shows up as an unknown key *and* a missing one: report the typo.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = _clean_loc(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(model, loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        advice = f"did you mean '{hint[0]}'?" if hint else f"allowed keys here: {', '.join(allowed)}"
        line, column = positions.of(loc, key=True)
        return KmyError(f"{format_loc(loc)}: unknown key '{key}' in {what}; {advice}", file, line, column)
    if kind == "missing":
        parent = loc[:-1]
        line, column = positions.of(parent)
        where = f"{format_loc(parent)}: " if parent else ""
        return KmyError(f"{where}required key '{loc[-1]}' is missing in {what}; add it", file, line, column)
    line, column = positions.of(loc)
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    got = error.get("input")
    got_text = f" (got {got!r})" if kind not in ("missing",) and not isinstance(got, (dict, list)) else ""
    return KmyError(f"{format_loc(loc)}: {message}{got_text}", file, line, column)


def _clean_loc(loc: tuple) -> Loc:
    """Drop pydantic's union-branch markers (e.g. 'str', 'function-after[...]') from a location."""
    cleaned: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in ("str", "int", "list", "dict", "date")):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _allowed_keys(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    """The field names of the (nested) model found at `loc`."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = getattr(current, "model_fields", {}).get(part)
        if field_info is None:
            return []
        current = _model_in(field_info.annotation)
    return [f.alias or name for name, f in getattr(current, "model_fields", {}).items()]


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as `list[Section]` or `Origin | None`."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
