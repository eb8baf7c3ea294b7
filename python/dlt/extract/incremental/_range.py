"""`start_out_of_range`, `end_out_of_range` and `can_close()` of an incremental, as dlt 1.26 keeps
them: its cursor step sets both flags for every row it sees (after the resource's add_map/add_filter
steps, before add_limit), so they tell about the last row the generator yielded:

- end_out_of_range: the row's cursor value is at or past `end_value` (past it with
  `range_end="closed"`), in the direction of `last_value_func`;
- start_out_of_range: (the row is inside the end) its value lies before the start value (the last
  value of the previous run, or `initial_value`), or at it when `range_start="open"`, or at it
  and the row was loaded in the previous run (its primary key hash is among `unique_hashes`).

A row without a cursor value sets neither. With `row_order` ("asc": end_out_of_range, "desc":
start_out_of_range) the generator of a resource (not a transformer) is closed after the page with
such a row, as dlt does. The engine still filters the rows; this only observes them, and only the
last row of a page is looked at unless `row_order` asks for every row.
"""

from datetime import date, datetime, timezone
from operator import itemgetter
from typing import Any, Callable, Iterator, List, Optional, Set, Tuple

from dlt.extract.items import unwrap

_MISSING = object()


def dedup_enabled(inc: Any, key: Any) -> bool:
    """Whether rows at the start value are told apart by their hash (dlt's boundary de-duplication)."""
    if inc.range_start == "open" or inc.end_value is not None:
        return False
    if inc.lag and inc.last_value_func in (max, min):
        return False
    return not (isinstance(key, (list, tuple)) and len(key) == 0)


ANY = object()  # a path step `[*]` / `*`: the first value found under any key or item


def path_parts(cursor_path: str) -> List[Any]:
    """The steps of a cursor path, a JSONPath as dlt compiles it: field names (`a.b`, `$.a.b`,
    `$['a']`), list indices (`items[0]`) and wildcards (`items[*].ts`, of which the first value
    found counts, as dlt's find_values(...)[0]); the root `$` has none."""
    parts: List[Any] = []
    i, n = (1, len(cursor_path)) if cursor_path.startswith("$") else (0, len(cursor_path))
    while i < n:
        c = cursor_path[i]
        if c == ".":
            i += 1
        elif c == "[":
            j = cursor_path.find("]", i)
            if j < 0:
                j = n
            inner = cursor_path[i + 1:j].strip()
            if inner == "*":
                parts.append(ANY)
            elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
                parts.append(inner[1:-1])
            elif inner.lstrip("-").isdigit():
                parts.append(int(inner))
            else:
                parts.append(inner)
            i = j + 1
        else:
            j = i
            while j < n and cursor_path[j] not in ".[":
                j += 1
            name = cursor_path[i:j]
            parts.append(ANY if name == "*" else name)
            i = j
    return parts


def find_path(row: Any, parts: List[Any]) -> Tuple[bool, Any]:
    """(found, value) at `parts` (path_parts) in `row`: a dict, a list or an object."""
    if not parts:
        return True, row
    step, rest = parts[0], parts[1:]
    if step is ANY:
        items = row.values() if isinstance(row, dict) else row if isinstance(row, (list, tuple)) else ()
        for item in items:
            found, value = find_path(item, rest)
            if found:
                return True, value
        return False, None
    if isinstance(step, int):
        if isinstance(row, (list, tuple)) and -len(row) <= step < len(row):
            return find_path(row[step], rest)
        return False, None
    if isinstance(row, dict):
        return find_path(row[step], rest) if step in row else (False, None)
    if row is not None and not isinstance(row, (str, bytes, list, tuple)) and hasattr(row, step):
        return find_path(getattr(row, step), rest)
    return False, None


def cursor_value(row: Any, parts: Any) -> Any:
    """The value at the cursor path in `row` (a dict or an object), or _MISSING (also for None)."""
    if row is None:
        return _MISSING
    found, value = find_path(row, parts)
    return value if found and value is not None else _MISSING


def _parse_iso(text: str, like: Any) -> Any:
    """ISO `text` as a value of the kind of `like` (a datetime or a date)."""
    if isinstance(like, datetime):
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return date.fromisoformat(text[:10])


def comparable(a: Any, b: Any) -> Tuple[Any, Any]:
    """`a` and `b` as values one order compares: ISO text against a datetime or date is parsed,
    and a naive datetime against an aware one is taken as UTC (dlt adapts the tz-awareness too)."""
    if isinstance(a, str) and isinstance(b, (datetime, date)):
        a = _parse_iso(a, b)
    elif isinstance(b, str) and isinstance(a, (datetime, date)):
        b = _parse_iso(b, a)
    if isinstance(a, datetime) and isinstance(b, datetime) and (a.tzinfo is None) != (b.tzinfo is None):
        if a.tzinfo is None:
            a = a.replace(tzinfo=timezone.utc)
        else:
            b = b.replace(tzinfo=timezone.utc)
    return a, b


class RangeObserver:
    """Watches the rows an incremental's resource yields and answers its range flags."""

    def __init__(self, inc: Any, start: Any, dedup: bool, row_hash: Callable[[Any], str],
                 start_hashes: Callable[[], Set[str]], auto_close: bool, cursor: Any = None) -> None:
        self.inc = inc
        self.start = start
        # the last value so far: the Python cursor's (it filters this extract), or else (the engine
        # filters) kept here from the rows seen, as the engine's cursor moves (max/min, no lag); with
        # an end_value the incremental's last_value is initial_value, so nothing is kept
        self.cursor = cursor
        self.last = start
        self._track = cursor is None and inc.end_value is None
        self.dedup = dedup
        self.row_hash = row_hash
        self._start_hashes = start_hashes
        self._hashes: Optional[Set[str]] = None
        self.auto_close = auto_close and inc.row_order in ("asc", "desc")
        self.parts = path_parts(inc.cursor_path)
        self.last_row: Any = _MISSING
        self._flags_of: Any = _MISSING
        self._flags: Tuple[bool, bool] = (False, False)

    def flags(self, row: Any) -> Tuple[bool, bool]:
        """(start_out_of_range, end_out_of_range) that `row` sets."""
        if isinstance(row, (str, bytes)) or hasattr(row, "num_rows") or hasattr(row, "shape"):
            return False, False  # not a row (Arrow tables and frames are not looked at)
        value = cursor_value(row, self.parts)
        if value is _MISSING:
            return False, False
        func = self.inc.last_value_func
        try:
            end = self.inc.end_value
            if end is not None:
                v, e = comparable(value, end)
                if func((v, e)) != e:
                    return False, True
                if self.inc.range_end == "open" and func((v,)) == e:
                    return False, True
            if self.start is None:
                return False, False
            v, s = comparable(value, self.start)
            own = func((v,))
            if self.inc.range_start == "open" and own == s:
                return True, False
            if func((v, s)) != s:
                return False, False  # past the start
            if own != s:
                return True, False  # before the start
            return (self.dedup and self.row_hash(row) in self.start_hashes()), False
        except (TypeError, ValueError, KeyError):
            return False, False  # not comparable: the engine reports such rows

    def live_last(self) -> Tuple[Any, bool]:
        """(the cursor's last value so far, whether it is the Python cursor's state value)."""
        if self.cursor is not None:
            return self.cursor.state_last(), True
        return self.last, False

    def _newer(self, value: Any, last: Any) -> Any:
        """`value` when the last value function puts it past `last`, else `last`."""
        func = self.inc.last_value_func
        if last is None:
            return func((value,))
        try:
            return func((value, last))
        except TypeError:
            v, lv = comparable(value, last)
            return last if func((v, lv)) == lv else value

    def _fold(self, rows: Any) -> None:
        """Moves the last value over a page of rows (rows without a cursor value are skipped; values
        that do not compare are left to the engine, which reports them)."""
        parts = self.parts
        if len(parts) == 1 and type(rows[0]) is dict:
            key = parts[0]
            func = self.inc.last_value_func
            try:  # the common case at C speed: every row a dict with a value at the cursor
                top = func(map(itemgetter(key), rows))
            except (KeyError, TypeError, ValueError):
                try:  # dicts, some without a value
                    top = func((v for v in [r.get(key) for r in rows] if v is not None), default=None)
                except (AttributeError, TypeError, ValueError):
                    top = None
            if top is not None:
                try:
                    self.last = self._newer(top, self.last)
                    return
                except (TypeError, ValueError):
                    pass
        for row in rows:
            if isinstance(row, (str, bytes)) or hasattr(row, "num_rows") or hasattr(row, "shape"):
                continue
            value = cursor_value(row, parts)
            if value is _MISSING:
                continue
            try:
                self.last = self._newer(value, self.last)
            except (TypeError, ValueError):
                continue

    def start_hashes(self) -> Set[str]:
        if self._hashes is None:
            self._hashes = set(self._start_hashes())
        return self._hashes

    def last_flags(self) -> Tuple[bool, bool]:
        """The flags of the last row seen (computed when first asked for)."""
        row = self.last_row
        if row is _MISSING:
            return False, False
        if self._flags_of is not row:
            self._flags = self.flags(row)
            self._flags_of = row
        return self._flags

    def _closes(self, flags: Tuple[bool, bool]) -> bool:
        order = self.inc.row_order
        return (order == "asc" and flags[1]) or (order == "desc" and flags[0])

    def observe(self, items: Any) -> Iterator[Any]:
        it = iter(items)
        try:
            for item in it:
                _, data = unwrap(item)
                rows = data if isinstance(data, list) else [data]
                close = False
                if rows:
                    if self._track:
                        self._fold(rows)
                    if self.auto_close:
                        for row in rows:
                            flags = self.flags(row)
                            self.last_row, self._flags_of, self._flags = row, row, flags
                            close = close or self._closes(flags)
                    else:
                        self.last_row = rows[-1]
                yield item
                if close:
                    return  # row_order: the page is loaded, the generator is not asked for more
        finally:
            closer = getattr(it, "close", None)
            if closer is not None:
                closer()
