"""The incremental cursor filtered in Python, for what the engine's cursor does not do: a custom
`last_value_func` (any callable on a sequence of cursor values) and `lag`.

It follows dlt 1.26's rules: a row passes when the function puts its value at or past the start
value; rows at the start value seen in the last run are told apart by the hash of their primary
key (or of the whole row) and skipped; `end_value` bounds a backfill range whose state is thrown
away. With `lag` (max/min only) the run starts `lag` back from the stored last value (seconds for
datetimes and ISO strings, days for dates, the number itself for numbers), never before
`initial_value`; boundary de-duplication is off (a merge on the primary key keeps rows
exactly-once) and the stored last value never moves back. The state is the same
`incremental.<cursor_path>` dict of the resource's state the engine keeps.
"""

import base64
import hashlib
import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional

from dlt.extract.incremental._range import dedup_enabled, find_path, path_parts
from dlt.extract.items import rewrap, unwrap


def _digest(text: str) -> str:
    """dlt's digest128: base64 of 15 bytes of shake_128, without padding."""
    return base64.b64encode(hashlib.shake_128(text.encode("utf-8")).digest(15)).decode("ascii").rstrip("=")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def row_hash(key: Any, row: Any) -> str:
    """The hash dlt keeps in `unique_hashes` for a row: of its primary key value(s), or of the
    whole row without a key."""
    if key is None:
        return _digest(_dumps(row))
    if isinstance(key, str):
        return _digest(_dumps(row[key]))
    return _digest(_dumps([row[k] for k in key]))


# The string forms of datetimes and dates whose format a lag keeps, as dlt's
# detect_datetime_format knows them: (pattern, strftime format; "%:z" is an offset with a colon).
_D = r"\d{4}-\d{2}-\d{2}"
_LAG_FORMATS = [(re.compile(p), f) for p, f in (
    (_D + r"T\d{2}:\d{2}:\d{2}Z", "%Y-%m-%dT%H:%M:%SZ"),
    (_D + r"T\d{2}:\d{2}:\d{2}\.\d+Z", "%Y-%m-%dT%H:%M:%S.%fZ"),
    (_D + r"T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", "%Y-%m-%dT%H:%M:%S%:z"),
    (_D + r"T\d{2}:\d{2}:\d{2}[+-]\d{4}", "%Y-%m-%dT%H:%M:%S%z"),
    (_D + r"T\d{2}:\d{2}:\d{2}\.\d+[+-]\d{2}:\d{2}", "%Y-%m-%dT%H:%M:%S.%f%:z"),
    (_D + r"T\d{2}:\d{2}:\d{2}\.\d+[+-]\d{4}", "%Y-%m-%dT%H:%M:%S.%f%z"),
    (_D + r"T\d{2}:\d{2}:\d{2}", "%Y-%m-%dT%H:%M:%S"),
    (_D + r"T\d{2}:\d{2}", "%Y-%m-%dT%H:%M"),
    (_D + r"T\d{2}", "%Y-%m-%dT%H"),
    (_D, "%Y-%m-%d"),
    (r"\d{8}", "%Y%m%d"),
)]


def _lag_string(lag: float, text: str, sign: int) -> Optional[str]:
    """A datetime or date string moved by the lag in its own format (dates by days, datetimes by
    seconds), as dlt's _apply_lag_to_value; None for a form it does not know."""
    fmt = next((f for rx, f in _LAG_FORMATS if rx.fullmatch(text)), None)
    if fmt is None:
        return None
    if fmt in ("%Y-%m-%d", "%Y%m%d"):
        return (datetime.strptime(text, fmt).date() + timedelta(days=sign * lag)).strftime(fmt)
    dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    moved = dt + timedelta(seconds=sign * lag)
    if "%:z" not in fmt:
        return moved.strftime(fmt)
    out = moved.strftime(fmt.replace("%:z", "%z"))
    return out[:-2] + ":" + out[-2:]


def _lag_value(lag: float, value: Any, func: Any) -> Any:
    """`value` moved `lag` back in the direction of `func` (max: earlier, min: later)."""
    sign = -1 if func is max else 1
    if isinstance(value, str):
        text = value.strip()
        kept = _lag_string(lag, text, sign)
        if kept is not None:
            return kept
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(f"lag is not supported for the cursor value {value!r}: strings must be ISO dates or "
                             f"datetimes") from None
        out = (dt + timedelta(seconds=sign * lag)).isoformat(
            timespec="microseconds" if dt.microsecond or (dt + timedelta(seconds=sign * lag)).microsecond else "seconds")
        return out[:-6] + "Z" if text.endswith("Z") and out.endswith("+00:00") else out
    if isinstance(value, datetime):
        return value + timedelta(seconds=sign * lag)
    if isinstance(value, date):
        return value + timedelta(days=sign * lag)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"lag is not supported for a cursor of type {type(value).__name__}: use datetimes, dates, "
                         f"ISO strings or numbers")
    moved = value + sign * lag
    return int(moved) if isinstance(value, int) else moved


def start_value(inc: Any, stored_last: Any) -> Any:
    """Where this run starts: the stored last value (lag applied) or initial_value."""
    if inc.end_value is not None or stored_last is None:
        return inc.initial_value if stored_last is None or inc.end_value is not None else stored_last
    if not inc.lag or inc.last_value_func not in (max, min):
        return stored_last
    lagged = _lag_value(inc.lag, stored_last, inc.last_value_func)
    if inc.initial_value is not None and inc.last_value_func((inc.initial_value, lagged)) == inc.initial_value:
        return inc.initial_value  # never before initial_value
    return lagged


class CursorFilter:
    """Filters one extract's rows and writes the cursor's state when they are all read."""

    def __init__(self, inc: Any, resource_name: str, primary_key: Any, resource_state: Dict[str, Any]) -> None:
        self.inc = inc
        self.func = inc.last_value_func
        self.resource_name = resource_name
        if inc.end_value is not None:  # a backfill range: its state is discarded
            self.state: Dict[str, Any] = {}
        else:
            self.state = resource_state.setdefault("incremental", {}).setdefault(inc.cursor_path, {})
        if not self.state:
            self.state.update({"initial_value": inc.initial_value, "last_value": inc.initial_value,
                               "unique_hashes": []})
        self.stored_last = self.state.get("last_value")
        self.start = start_value(inc, self.stored_last)
        self.last = self.start
        key = inc.primary_key if inc.primary_key is not None else primary_key
        self.key = key
        self.dedup = dedup_enabled(inc, key)
        self.start_hashes = set(self.state.get("unique_hashes") or [])
        self.last_rows: List[Any] = []
        self.passed = False
        self.moved = False  # the last value moved past the start: the start's hashes are obsolete
        self.path = path_parts(inc.cursor_path)
        self.end = inc.end_value
        self.tz_checked = False  # the bounds were matched to the first datetime row's tz-awareness

    def _match_tz(self, row_value: Any) -> None:
        """As dlt's _adapt_timezone, once: bounds of another tz-awareness than the rows' take
        theirs (a naive value is UTC; an aware one becomes its UTC wall clock)."""
        self.tz_checked = True

        def adapt(v: Any) -> Any:
            if not isinstance(v, datetime) or (v.tzinfo is None) == (row_value.tzinfo is None):
                return v
            if row_value.tzinfo is None:
                return v.astimezone(timezone.utc).replace(tzinfo=None)
            return v.replace(tzinfo=timezone.utc)

        self.start, self.last, self.end = adapt(self.start), adapt(self.last), adapt(self.end)
        self.stored_last = adapt(self.stored_last)

    def _cursor(self, row: Any) -> Any:
        found, v = find_path(row, self.path)
        if not found:
            return self._missing(row, False)
        return v if v is not None else self._missing(row, True)

    def _missing(self, row: Any, is_none: bool) -> Any:
        if self.inc.on_cursor_value_missing == "raise":
            from dlt.extract.incremental.exceptions import IncrementalCursorPathHasValueNone, IncrementalCursorPathMissing

            raise (IncrementalCursorPathHasValueNone if is_none else IncrementalCursorPathMissing)(
                self.resource_name, self.inc.cursor_path, row)
        return None

    def _hash(self, row: Any) -> str:
        return row_hash(self.key, row)

    def keep(self, row: Any) -> bool:
        value = self._cursor(row)
        if value is None:  # missing: "include" keeps it, "exclude" drops it
            return self.inc.on_cursor_value_missing == "include"
        if not self.tz_checked and isinstance(value, datetime):
            self._match_tz(value)
        try:
            return self._keep(row, value)
        except TypeError as e:  # a value the bounds cannot be compared with
            from dlt.extract.incremental.exceptions import IncrementalCursorInvalidCoercion

            bound, name = (self.end, "end_value") if self.end is not None else (self.last, "last_value")
            raise IncrementalCursorInvalidCoercion(self.resource_name, self.inc.cursor_path, bound, name, row,
                                                   type(value), str(e)) from e

    def _keep(self, row: Any, value: Any) -> bool:
        func, end = self.func, self.end
        if end is not None:
            if func((value, end)) != end:
                return False
            if self.inc.range_end == "open" and func((value,)) == end:
                return False
        self.passed = True
        newest = func((value,)) if self.last is None else func((value, self.last))
        if newest != self.last:
            self.last = newest
            self.moved = True
            if self.dedup:
                self.last_rows = [row]
            return True
        own = func((value,))
        if self.inc.range_start == "open" and own == self.start:
            return False
        if (func((value,)) if self.start is None else func((value, self.start))) == self.start:
            if own != self.start:
                return False  # before the start
            if self.dedup and self._hash(row) in self.start_hashes:
                return False  # at the start and loaded before
        if own == self.last and self.dedup:
            self.last_rows.append(row)
        return True

    def rows(self, items: Iterator[Any]) -> Iterator[Any]:
        try:
            for item in items:
                meta, data = unwrap(item)
                if isinstance(data, list):
                    kept = [r for r in data if self.keep(r)]
                    if kept:
                        yield rewrap(meta, kept)
                elif self.keep(data):
                    yield item
        except GeneratorExit:  # add_limit stopped reading: the rows read so far count
            self.finish()
            raise
        self.finish()

    def state_last(self) -> Any:
        """The last value the state gets from the rows read so far."""
        last = self.last
        if self.inc.lag and self.stored_last is not None and last is not None:
            last = self.func((last, self.stored_last))  # the stored value never moves back
        return last

    def finish(self) -> None:
        self.state["last_value"] = self.state_last()
        if self.passed:
            self.state["start_value"] = self.stored_last
        if self.dedup:
            hashes = {self._hash(r) for r in self.last_rows}
            if not self.moved:
                hashes |= self.start_hashes
            self.state["unique_hashes"] = sorted(hashes)
        else:
            self.state["unique_hashes"] = []
