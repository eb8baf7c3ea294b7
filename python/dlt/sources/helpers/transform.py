"""dlt.sources.helpers.transform: dlt's item transforms for add_filter / add_map: take_first,
skip_first and pivot (lists of lists at JSON paths as lists of dicts)."""

from collections.abc import Sequence as _Sequence
from typing import Any, Callable, Dict, List, Sequence, Union

from dlt.extract.incremental._range import ANY


def take_first(max_items: int) -> Callable[[Any], bool]:
    """A filter that keeps the first `max_items` items of a resource."""
    count = 0

    def _filter(_: Any) -> bool:
        nonlocal count
        count += 1
        return count <= max_items

    return _filter


def skip_first(max_items: int) -> Callable[[Any], bool]:
    """A filter that drops the first `max_items` items of a resource."""
    count = 0

    def _filter(_: Any) -> bool:
        nonlocal count
        count += 1
        return count > max_items

    return _filter


def _is_sequence(v: Any) -> bool:
    # as dlt's check (collections.abc.Sequence): a string counts as a sequence of its characters
    return isinstance(v, _Sequence)


_DESCEND = object()  # `..`: the next step at this node and at every node below it


def _pivot_steps(path: str) -> List[Any]:
    """The steps of a pivot path, JSONPath as dlt's pivot reads it: fields (`a.b`, `['a']`), a
    union of fields in one step (`a.inner_1|inner_2`), list indices (`[0]`), wildcards (`*`,
    `[*]`) and recursive descent (`$..inner`); `$` alone (or "") is the item itself."""
    steps: List[Any] = []
    i, n = (1, len(path)) if path.startswith("$") else (0, len(path))
    while i < n:
        if path.startswith("..", i):
            steps.append(_DESCEND)
            i += 2
            continue
        if path[i] == ".":
            i += 1
            continue
        if path[i] == "[":
            j = path.find("]", i)
            j = n if j < 0 else j
            inner = path[i + 1:j].strip()
            if inner == "*":
                steps.append(ANY)
            elif inner.lstrip("-").isdigit():
                steps.append(int(inner))
            else:
                steps.append([x.strip().strip("'\"") for x in inner.split(",")])
            i = j + 1
            continue
        j = i
        while j < n and path[j] not in ".[":
            j += 1
        names = [x.strip() for x in path[i:j].split("|")]
        steps.append(ANY if names == ["*"] else names)
        i = j
    return steps


def pivot(paths: Union[str, Sequence[str]] = "$", prefix: str = "col") -> Callable[[Any], Any]:
    """A map that turns the sequence of sequences found at each JSON path into a list of dicts
    named `<prefix><index>`: {"f": [[1, 2]]} -> {"f": [{"col0": 1, "col1": 2}]}. With `$` (the
    default) the item itself is one row: [1, 2] -> [{"col0": 1, "col1": 2}]. A value at a path that
    is not a sequence of sequences raises ValueError naming it."""
    path_list = [paths] if isinstance(paths, str) else list(paths)
    compiled = [(p, _pivot_steps(p)) for p in path_list]

    def _row(seq: Sequence[Any]) -> Dict[str, Any]:
        return {prefix + str(i): value for i, value in enumerate(seq)}

    def _pivoted(value: Any, where: str) -> List[Dict[str, Any]]:
        if not _is_sequence(value):
            raise ValueError(f"Pivot transformer is only applicable to sequences fields, however, the value of "
                             f"`{where}` is not a sequence.")
        for item in value:
            if not _is_sequence(item):
                raise ValueError(f"Pivot transformer is only applicable to sequences, however, the value of "
                                 f"`{where}` includes a non-sequence element.")
        return [_row(item) for item in value]

    def _children(node: Any) -> List[Any]:
        if isinstance(node, dict):
            return list(node.keys())
        if isinstance(node, list):
            return list(range(len(node)))
        return []

    def _at(where: str, key: Any) -> str:
        return f"{where}[{key}]" if isinstance(key, int) else (f"{where}.{key}" if where else str(key))

    def _apply(node: Any, steps: List[Any], where: str) -> Any:
        """`node` with the values its steps reach pivoted (in place in dicts and lists)."""
        if not steps:
            return _pivoted(node, where or "$")
        step, rest = steps[0], steps[1:]
        if step is _DESCEND:
            # below first, so that what is pivoted here is not walked again
            for k in _children(node):
                if not isinstance(node[k], (dict, list)):
                    continue
                node[k] = _apply(node[k], steps, _at(where, k))
            return _apply(node, rest, where)
        if step is ANY:
            keys = _children(node)
        elif isinstance(step, int):
            keys = [step] if isinstance(node, list) and -len(node) <= step < len(node) else []
        else:
            keys = [k for k in step if isinstance(node, dict) and k in node]
        for k in keys:
            node[k] = _apply(node[k], rest, _at(where, k))
        return node

    def _transform(item: Any) -> Any:
        for path, steps in compiled:
            if path in ("", "$"):
                item = _pivoted([item], "$")  # the item is one row
            else:
                item = _apply(item, steps, "")
        return item

    return _transform
