"""dlt.sources.helpers.transform: dlt's item transforms for add_filter / add_map: take_first,
skip_first and pivot (lists of lists at JSON paths as lists of dicts)."""

from collections.abc import Sequence as _Sequence
from typing import Any, Callable, Dict, List, Sequence, Union

from dlt.extract.incremental._range import ANY, path_parts


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
    return isinstance(v, _Sequence) and not isinstance(v, (str, bytes, bytearray))


def pivot(paths: Union[str, Sequence[str]] = "$", prefix: str = "col") -> Callable[[Any], Any]:
    """A map that turns the list of lists found at each JSON path (`$` the item itself, `$.a.b`,
    `a[*].b`) into a list of dicts named `<prefix><index>`: {"f": [[1, 2]]} -> {"f": [{"col0": 1,
    "col1": 2}]}. A value at a path that is not a list of lists raises ValueError naming it."""
    path_list = [paths] if isinstance(paths, str) else list(paths)
    compiled = [(p, path_parts(p)) for p in path_list]

    def _row(seq: Sequence[Any]) -> Dict[str, Any]:
        return {prefix + str(i): value for i, value in enumerate(seq)}

    def _pivoted(value: Any, where: str) -> List[Dict[str, Any]]:
        if not _is_sequence(value):
            raise ValueError(f"Pivot transformer is only applicable to sequences fields, however, the value of "
                             f"`{where}` is not a sequence.")
        for item in value:
            if not _is_sequence(item):
                raise ValueError(f"Pivot transformer is only applicable to sequences fields, however, the value of "
                                 f"`{where}` is not a sequence of sequences.")
        return [_row(item) for item in value]

    def _apply(node: Any, parts: List[Any], where: str) -> Any:
        """`node` with the value at `parts` pivoted (in place where it is a dict or list)."""
        if not parts:
            return _pivoted(node, where)
        step, rest = parts[0], parts[1:]
        if step is ANY:
            keys = list(node.keys()) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else ()
            for k in keys:
                node[k] = _apply(node[k], rest, f"{where}[{k}]")
        elif isinstance(step, int):
            if isinstance(node, list) and -len(node) <= step < len(node):
                node[step] = _apply(node[step], rest, f"{where}[{step}]")
        elif isinstance(node, dict) and step in node:
            node[step] = _apply(node[step], rest, f"{where}.{step}")
        return node

    def _transform(item: Any) -> Any:
        for path, parts in compiled:
            item = _apply(item, parts, "$")
        return item

    return _transform
