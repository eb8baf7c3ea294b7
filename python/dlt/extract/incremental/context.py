"""The time interval of an external scheduler (dlt's TimeIntervalContext), and how an incremental
with `allow_external_schedulers=True` joins it.

The interval is read when asked: from `DLT_INTERVAL_START` / `DLT_INTERVAL_END` (ISO 8601, UTC;
`DLT_INTERVAL_TIMEZONE`, an IANA name, gives the datetimes that zone), else from Airflow's task
context (`data_interval_start` / `data_interval_end`) when Airflow is installed and a task runs;
else there is none. `dlt.current.interval()` returns it.

Joining, as dlt 1.26's Incremental._join_external_scheduler: the interval becomes the
incremental's `initial_value` and `end_value`, in the type of its configured values (datetime,
date, or epoch seconds as int or float), clipped by the configured bounds in the direction of
`last_value_func`; a text cursor, or one whose type cannot be told (no initial_value), is a
JoinSchedulerError, and no interval an ExternalSchedulerNotAvailable. The type comes from the
configured values, else from `Incremental[<type>]` (the call or the argument's annotation).
"""

import os
from datetime import date, datetime, timezone
from typing import Any, Optional, Tuple

TTimeInterval = Tuple[datetime, datetime]


def _utc(value: str) -> datetime:
    d = datetime.fromisoformat(value.strip())
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d.astimezone(timezone.utc)


def interval() -> Optional[TTimeInterval]:
    """The active interval as (start, end) datetimes, or None."""
    start, end = os.environ.get("DLT_INTERVAL_START"), os.environ.get("DLT_INTERVAL_END")
    if start and end:
        try:
            s, e = _utc(start), _utc(end)
        except ValueError as ex:
            raise ValueError(f"DLT_INTERVAL_START / DLT_INTERVAL_END must be ISO 8601 datetimes: {ex}") from None
        tz_name = os.environ.get("DLT_INTERVAL_TIMEZONE")
        if tz_name:
            from zoneinfo import ZoneInfo

            tz = ZoneInfo(tz_name)
            return s.astimezone(tz), e.astimezone(tz)
        return s, e
    try:
        try:
            from airflow.operators.python import get_current_context  # type: ignore
        except ImportError:
            from airflow.sdk import get_current_context  # type: ignore
        context = get_current_context()
        s, e = context.get("data_interval_start"), context.get("data_interval_end")
        if s is not None and e is not None:
            return s, e
    except Exception:
        pass
    return None


def _coerce(like: Any, value: datetime) -> Any:
    """`value` in the type of `like` (a configured bound)."""
    if isinstance(like, datetime):
        if like.tzinfo is None and value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        if like.tzinfo is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value
    if isinstance(like, date):
        return value.astimezone(timezone.utc).date() if value.tzinfo is not None else value.date()
    if isinstance(like, bool):
        raise TypeError("bool")
    if isinstance(like, int):
        return int(value.timestamp())
    if isinstance(like, float):
        return value.timestamp()
    raise TypeError(type(like).__name__)


# a value of each cursor type an `Incremental[<type>]` may name (the interval is given in it)
_SAMPLES = {datetime: datetime(2000, 1, 1, tzinfo=timezone.utc), date: date(2000, 1, 1), int: 0, float: 0.0, str: ""}


def join_external_scheduler(inc: Any, resource_name: str) -> None:
    """Sets `inc`'s initial_value and end_value from the interval (see the module's text); the
    configured values are kept aside, so joining again starts from them."""
    from dlt.extract.incremental.exceptions import ExternalSchedulerNotAvailable, JoinSchedulerError

    configured = getattr(inc, "_configured_bounds", None)
    if configured is None:
        configured = inc._configured_bounds = (inc.initial_value, inc.end_value)
    initial, end = configured
    try:
        iv = interval()
    except (ValueError, LookupError) as ex:  # a malformed DLT_INTERVAL_*, an unknown time zone
        raise JoinSchedulerError(resource_name, f"Could not read the external scheduler's interval: {ex}") from ex
    if iv is None:
        raise ExternalSchedulerNotAvailable(resource_name)
    like = initial if initial is not None else end
    if like is None:
        like = _SAMPLES.get(getattr(inc, "_value_type", None))
    if like is None:
        raise JoinSchedulerError(resource_name, "Could not find the Python data type of Incremental class "
                                                "participating in external schedule. Please add type hint when declaring "
                                                "incremental argument in your resource or pass default value or "
                                                "initial_value from which the type can be inferred.")
    if isinstance(like, str):
        raise JoinSchedulerError(resource_name, "Declared data type of Incremental class must be safely coercable to "
                                                "datetime so they can be compared. Please convert your cursor field from "
                                                "str to datetime using ie. add_map on resource. dlt will not coerce "
                                                "cursor fields to datetime automatically for comparison. Incremental "
                                                "data type is text, coercable data types are ('timestamp', 'date', "
                                                "'double', 'bigint').")
    try:
        start, stop = _coerce(like, iv[0]), _coerce(like, iv[1])
    except TypeError as ex:
        raise JoinSchedulerError(resource_name, f"Could not coerce external scheduler dates into last value type "
                                                f"{type(like).__name__}. ({ex})") from None
    func = inc.last_value_func
    if initial is not None and func((initial, start)) == initial:
        start = initial
    if end is not None and func((end, stop)) == stop:
        stop = end
    inc.initial_value, inc.end_value = start, stop
