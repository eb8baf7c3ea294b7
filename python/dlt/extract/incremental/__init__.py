"""dlt.sources.incremental: a cursor over a field of the rows, kept in the pipeline's state.

The engine filters the rows (a row at or past the last value passes; rows at the boundary are
de-duplicated by their primary key) and stores the new last value in the state, which travels
to the destination with the load. Here the Python side describes the cursor and gives the
resource function its start and (moving with each item or page) last value, so it can ask an API
for newer rows only. Python filters instead of the engine for a custom last_value_func or lag, and
when a resource is iterated outside a pipeline (list(resource)).
"""

import inspect
import json
from typing import Any, Callable, Optional

from dlt.common.json import typed_loads, typed_dumps
from dlt.extract.exceptions import IncrementalUnboundError  # noqa: F401  (dlt exports it here)


class Incremental:
    def __init__(self, cursor_path: Optional[str] = None, initial_value: Any = None,
                 last_value_func: Callable[..., Any] = max, primary_key: Any = None,
                 end_value: Any = None, row_order: Optional[str] = None,
                 allow_external_schedulers: bool = False, on_cursor_value_missing: str = "raise",
                 lag: Optional[float] = None, range_start: str = "closed", range_end: str = "open") -> None:
        if cursor_path is not None and not isinstance(cursor_path, str):
            raise ValueError(f"cursor_path must be a string (a field name or a JSON path), got {cursor_path!r}")
        if isinstance(last_value_func, str):
            if last_value_func not in ("max", "min"):
                raise ValueError(f"Unknown `last_value_func={last_value_func}` passed as string. Provide a callable "
                                 f"to use a custom function.")
            last_value_func = max if last_value_func == "max" else min
        if not callable(last_value_func):
            raise ValueError(f"last_value_func must be max, min or a callable on a sequence of values, "
                             f"got {last_value_func!r}")
        _check_range(cursor_path, initial_value, end_value, last_value_func)
        if lag is not None and (isinstance(lag, bool) or not isinstance(lag, (int, float))):
            raise ValueError(f"incremental `{cursor_path}`: lag must be a number (seconds for datetime cursors), "
                             f"got {lag!r}")
        for edge, v in (("range_start", range_start), ("range_end", range_end)):
            if v not in ("open", "closed"):
                raise ValueError(f"{edge} must be open or closed, got {v!r}")
        if on_cursor_value_missing not in ("raise", "include", "exclude"):
            raise ValueError(f"on_cursor_value_missing must be raise, include or exclude, got {on_cursor_value_missing!r}")
        self.cursor_path = cursor_path
        self.initial_value = initial_value
        self.last_value_func = last_value_func
        self.primary_key = primary_key
        self.end_value = end_value
        self.row_order = row_order
        self.allow_external_schedulers = allow_external_schedulers
        self.on_cursor_value_missing = on_cursor_value_missing
        self.lag = lag
        self.range_start = range_start
        self.range_end = range_end
        self._last_value: Any = None
        self._has_state = False
        self.resource_name: Optional[str] = None
        self._observer: Any = None  # the rows of the extract in progress (incremental/_range.py)

    @property
    def last_value(self) -> Any:
        """The cursor's last value, as dlt keeps it: during an extract it moves with each item or
        page the resource yields (the stored value or initial_value before the first); after a run,
        the value the run stored. With an end_value always initial_value (a backfill range keeps no
        state); with lag, moved back by it."""
        if self.end_value is None and self._observer is None and not self._has_state and self.resource_name is None:
            from dlt.extract.exceptions import IncrementalUnboundError

            raise IncrementalUnboundError(self.cursor_path)
        return self._current_last_value()

    def _current_last_value(self) -> Any:
        from dlt.extract.incremental_transform import start_value

        if self.end_value is not None:
            return self.initial_value
        if self._observer is not None:
            live, cursor = self._observer.live_last()
            # the Python cursor's value is the state's (lag is applied to it here, as dlt does)
            return start_value(self, live) if cursor else live
        return start_value(self, self._last_value) if self._has_state else self.initial_value

    @property
    def _in_python(self) -> bool:
        """A custom last_value_func or a lag: the cursor is filtered in Python (incremental_transform),
        not by the engine, whose cursor knows max and min without lag."""
        return bool(self.lag) or self.last_value_func not in (max, min)

    def _join_scheduler(self, resource: Any) -> None:
        """allow_external_schedulers: the interval of the run (context.py) becomes the range."""
        if self.allow_external_schedulers:
            from dlt.extract.incremental.context import join_external_scheduler

            join_external_scheduler(self, resource.name)

    def _bind_python(self, resource: Any, resource_state: dict) -> Any:
        """The Python filter of this extract, with the stored state read from `resource_state`."""
        from dlt.extract.incremental_transform import CursorFilter

        self._join_scheduler(resource)
        if not self.cursor_path:
            raise ValueError(f"resource `{resource.name}`: the incremental has no cursor_path")
        f = CursorFilter(self, resource.name, resource._hints.get("primary_key"), resource_state)
        self._observer = None
        self._has_state = f.stored_last is not None and self.end_value is None
        self._last_value = f.stored_last
        return f

    @property
    def start_value(self) -> Any:
        """Where the extract in progress (or the last one) started: fixed while it runs."""
        if self._observer is not None:
            return self._observer.start
        return self.last_value

    @property
    def start_out_of_range(self) -> bool:
        """True when the last row the resource yielded lies before the start value (or at it and
        loaded in the previous run), as dlt sets it for each row."""
        return self._observer is not None and self._observer.last_flags()[0]

    @property
    def end_out_of_range(self) -> bool:
        """True when the last row the resource yielded is at or past `end_value`."""
        return self._observer is not None and self._observer.last_flags()[1]

    def can_close(self) -> bool:
        """With `row_order`: rows ascend and the end was reached, or descend and the start was."""
        return (self.row_order == "asc" and self.end_out_of_range) or \
            (self.row_order == "desc" and self.start_out_of_range)

    def _observe(self, resource: Any, cursor: Any = None) -> Any:
        """The RangeObserver of this extract of `resource` (`cursor`: its Python filter, if any)."""
        from dlt.extract.incremental._range import RangeObserver, dedup_enabled
        from dlt.extract.incremental_transform import row_hash

        key = self.primary_key if self.primary_key is not None else resource._hints.get("primary_key")
        self._observer = None
        if cursor is not None:
            start, hashes = cursor.start, (lambda: cursor.start_hashes)
        else:
            start, hashes = self._current_last_value(), (lambda: _stored_hashes(resource.name, self.cursor_path))
        self._observer = RangeObserver(self, start, dedup_enabled(self, key), lambda row: row_hash(key, row), hashes,
                                       auto_close=not resource.is_transformer, cursor=cursor)
        return self._observer

    def _set_state(self, last_value_json: Optional[str]) -> None:
        self._observer = None
        if last_value_json is None:
            self._has_state = False
            self._last_value = None
        else:
            self._has_state = True
            self._last_value = typed_loads(last_value_json)

    def _native_options(self, resource: Any) -> dict:
        if not self.cursor_path:
            raise ValueError(f"resource `{resource.name}`: the incremental has no cursor_path")
        self._join_scheduler(resource)
        opts = {"cursor_path": self.cursor_path, "on_cursor_value_missing": self.on_cursor_value_missing}
        if self.initial_value is not None:
            opts["initial_value_json"] = typed_dumps(self.initial_value)
        if self.end_value is not None:
            opts["end_value_json"] = typed_dumps(self.end_value)
        opts["last_value_func"] = "min" if self.last_value_func is min else "max"
        opts["range_start"] = self.range_start
        opts["range_end"] = self.range_end
        if self.primary_key is not None:
            opts["primary_key"] = self.primary_key if isinstance(self.primary_key, str) else list(self.primary_key)
        return opts

    def merge(self, other: "Incremental") -> "Incremental":
        """A new incremental with this one's settings, each replaced by `other`'s where that is not
        None (as dlt merges an incremental given to a resource with its default: a partial one,
        e.g. only initial_value/end_value, keeps the default's cursor_path)."""
        kwargs = {k: getattr(self, k) for k in _SETTINGS}
        for k in _SETTINGS:
            v = getattr(other, k)
            if v is not None:
                kwargs[k] = v
        merged = Incremental(**kwargs)
        merged._value_type = other._value_type or self._value_type
        merged.resource_name = other.resource_name or self.resource_name
        return merged

    def copy(self) -> "Incremental":
        c = Incremental.__new__(Incremental)
        c.__dict__.update(self.__dict__)
        c._value_type = self._value_type
        c._observer = None
        return c

    def __repr__(self) -> str:
        return f"Incremental(cursor_path={self.cursor_path!r}, initial_value={self.initial_value!r})"

    # dlt allows `Incremental[int]` in annotations and calls: the subclass keeps the cursor's type
    # (an external scheduler's interval is given in it when there is no initial_value)
    def __class_getitem__(cls, item: Any) -> Any:
        typed = _TYPED.get(item) if isinstance(item, type) else None
        if typed is None and isinstance(item, type):
            typed = _TYPED[item] = type(f"Incremental[{item.__name__}]", (Incremental,), {"_value_type": item})
        return typed or cls

    _value_type: Any = None


_TYPED: dict = {}  # cursor type -> its Incremental[...] subclass


# what an Incremental is made with (merge takes them from both)
_SETTINGS = ("cursor_path", "initial_value", "last_value_func", "primary_key", "end_value", "row_order",
             "allow_external_schedulers", "on_cursor_value_missing", "lag", "range_start", "range_end")


def _stored_hashes(resource_name: str, cursor_path: str) -> Any:
    """The `unique_hashes` the previous run stored for this cursor (rows at its last value)."""
    from dlt.pipeline import current

    p = current.pipeline()
    state = p._stored_source_state() if p is not None else {}
    cursor = state.get("resources", {}).get(resource_name, {}).get("incremental", {}).get(cursor_path, {})
    return cursor.get("unique_hashes") or []


def _check_range(cursor_path: Any, initial_value: Any, end_value: Any, last_value_func: Any) -> None:
    """As dlt: end_value needs initial_value and lies past it in the cursor's direction."""
    from dlt.common.configuration.exceptions import ConfigurationValueError

    if end_value is None:
        return
    if initial_value is None:
        raise ConfigurationValueError("Incremental `end_value` was specified without `initial_value`."
                                      "`initial_value` is required when using `end_value`.")
    try:
        ok = last_value_func([end_value, initial_value]) == end_value
    except Exception as exc:
        raise ConfigurationValueError(
            f"Incremental `initial_value={initial_value}` and `end_value={end_value}` are not comparable. Make "
            f"sure they are of the same type and tz-awareness: {exc}") from exc
    if not ok and last_value_func in (max, min):
        adject = "higher" if last_value_func is max else "lower"
        raise ConfigurationValueError(
            f"Incremental `initial_value={initial_value}` is {adject} than `end_value={end_value}`. 'end_value' "
            f"must be {adject} than `initial_value`.")
    if not ok:
        name = getattr(last_value_func, "__name__", repr(last_value_func))
        raise ConfigurationValueError(
            f"Incremental `initial_value={initial_value}` is greater than `end_value={end_value}` as determined by "
            f"the custom `last_value_func`. The result of `{name}([end_value, initial_value])` must equal `end_value`")


def _signature(fn: Optional[Callable]) -> Optional[inspect.Signature]:
    """`fn`'s signature; None without a function or where Python cannot tell it (a builtin)."""
    if fn is None:
        return None
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def incremental_param(fn: Optional[Callable]) -> Optional[str]:
    """The name of the argument of `fn` whose default (or annotation) is an Incremental."""
    sig = _signature(fn)
    if sig is None:
        return None
    for p in sig.parameters.values():
        if isinstance(p.default, Incremental):
            return p.name
    return None


def find_incremental(resource: Any) -> Optional[Incremental]:
    """The resource's Incremental: given as an argument, or the default of an argument. As dlt, an
    Incremental given for an argument whose default is one is merged with that default (what it
    leaves None comes from the default), and another value given there is the default's
    initial_value; the function is then called with the resulting instance."""
    fn = resource._fn
    name = incremental_param(fn)
    if name is None:
        for v in list(resource._args) + list(resource._kwargs.values()):
            if isinstance(v, Incremental):
                return v
        return _configured_incremental(resource)
    inc = resource._hints.get("_incremental_instance")
    idx = None
    if name in resource._kwargs:
        given = resource._kwargs[name]
    else:
        given = None
        if resource._args:
            params = list(inspect.signature(fn).parameters)
            if resource.is_transformer:
                params = params[1:]  # a transformer's first argument is the data item, not in _args
            i = params.index(name) if name in params else len(resource._args)
            if i < len(resource._args):
                idx, given = i, resource._args[i]
    # apply_hints(incremental=...) on a resource whose function takes one: as dlt's from_hints, the
    # function gets the hint merged into the argument's default (and that one filters and keeps state)
    hint = resource._hints.get("incremental")
    if isinstance(hint, Incremental):
        if inc is not None and resource._hints.get("_incremental_hint") is hint:
            return inc
        resource._hints["_incremental_hint"] = hint
        given = hint
    elif inc is not None and given is inc:
        return inc
    param = inspect.signature(fn).parameters[name]
    default = param.default
    if isinstance(given, Incremental) and isinstance(default, Incremental):
        inc = default.merge(given)
    elif isinstance(given, Incremental):
        inc = given.copy()
    else:
        inc = default.copy()
        if given is not None:
            inc.initial_value = given  # a bare value given for the argument: its initial value
    if inc._value_type is None:  # `x: dlt.sources.incremental[datetime] = ...`
        inc._value_type = getattr(param.annotation, "_value_type", None)
    inc.resource_name = resource.name
    resource._hints["_incremental_instance"] = inc
    if idx is not None:
        args = list(resource._args)
        args[idx] = inc
        resource._args = tuple(args)
    else:
        resource._kwargs = dict(resource._kwargs)
        resource._kwargs[name] = inc
    return inc


def _configured_incremental(resource: Any) -> Optional[Incremental]:
    """As dlt: an argument annotated `dlt.sources.incremental` that the call leaves to the
    configuration (`id_after: dlt.sources.incremental = dlt.config.value`) is the Incremental its
    configuration gives (cursor_path, initial_value, ... under the argument's key); the function is
    then called with it."""
    fn = resource._fn
    sig = _signature(fn)
    if sig is None:
        return None
    from dlt.common.configuration.accessors import is_incremental_annotation, lookup_incremental

    params = list(sig.parameters.values())
    if resource.is_transformer:
        params = params[1:]  # a transformer's first argument is the data item, not in _args
    for i, p in enumerate(params):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or not is_incremental_annotation(p.annotation):
            continue
        if p.name in resource._kwargs or (i < len(resource._args) and p.kind != p.KEYWORD_ONLY):
            return None  # given by the call (not an Incremental: the function gets what was given)
        if p.default is inspect.Parameter.empty:
            return None
        from dlt.common.configuration.exceptions import ConfigurationException

        try:
            found, inc, _tried = lookup_incremental(fn, p, section=resource.section, source_name=resource.source_name)
        except ConfigurationException:
            return None  # raised again where the function is called with its configuration (the extract)
        if not found:
            return None
        inc.resource_name = resource.name
        resource._hints["_incremental_instance"] = inc
        resource._kwargs = dict(resource._kwargs)
        resource._kwargs[p.name] = inc
        return inc
    return None
