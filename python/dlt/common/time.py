"""dlt.common.time: dlt's coercions of dates, times and timestamps to pendulum objects, as sources
use them on arguments such as `start_date` given as strings, dates, datetimes or Unix timestamps.
A naive value is taken as UTC by the *_utc functions and stays naive in the *_non_utc ones."""

import datetime
from typing import Any, Optional, Union

from dlt.common.pendulum import pendulum

UTC = pendulum.UTC
TAnyDateTime = Union[pendulum.DateTime, pendulum.Date, datetime.datetime, datetime.date, str, float, int]


def _pendulum_dt(value: datetime.datetime) -> pendulum.DateTime:
    if isinstance(value, pendulum.DateTime):
        return value
    return pendulum.instance(value, tz=value.tzinfo)  # a naive value stays naive


def parse_iso_like_datetime(value: str) -> Union[pendulum.DateTime, pendulum.Date, pendulum.Time]:
    """An ISO 8601 text (or one pendulum reads, as `2024` or `2024/01/15`) as a pendulum DateTime,
    Date or Time; its zone is kept and a naive text gives a naive DateTime."""
    try:
        parsed: Any = datetime.datetime.fromisoformat(value)
        if len(value) <= 10 and "T" not in value and " " not in value:
            parsed = parsed.date()
    except ValueError:
        try:
            parsed = pendulum.parse(value, exact=True, strict=False, tz=None)
        except Exception as e:
            raise ValueError(f"`{value}` is not an ISO 8601 date, time or datetime") from e
    if isinstance(parsed, datetime.datetime):
        return _pendulum_dt(parsed)
    if isinstance(parsed, datetime.date):
        return pendulum.Date(parsed.year, parsed.month, parsed.day)
    if isinstance(parsed, datetime.time):
        return pendulum.Time(parsed.hour, parsed.minute, parsed.second, parsed.microsecond, tzinfo=parsed.tzinfo)
    raise ValueError(f"`{value}`: ISO 8601 intervals and durations are not dates or times")


def _from_timestamp_or_iso(value: Union[str, int, float]) -> Any:
    """A number as a Unix timestamp; a text as ISO 8601 first (`20240115` is a date), else as a
    number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return pendulum.from_timestamp(value)
    try:
        return parse_iso_like_datetime(value)
    except ValueError as iso_error:
        try:
            seconds = float(value)
        except ValueError:
            raise iso_error from None
        return pendulum.from_timestamp(seconds)


def ensure_pendulum_datetime_non_utc(value: TAnyDateTime) -> pendulum.DateTime:
    """`value` as a pendulum DateTime that keeps its zone (or its naivety); a date is a naive
    midnight, a number a Unix timestamp (UTC)."""
    if isinstance(value, datetime.datetime):
        return _pendulum_dt(value)
    if isinstance(value, datetime.date):
        return pendulum.DateTime(value.year, value.month, value.day)
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        result = _from_timestamp_or_iso(value)
        if isinstance(result, datetime.datetime):
            return _pendulum_dt(result)
        if isinstance(result, datetime.date):
            return pendulum.DateTime(result.year, result.month, result.day)
        raise ValueError(f"Cannot coerce `{value}` to `pendulum.DateTime` object.")
    raise TypeError(f"Cannot coerce `{value}` to `pendulum.DateTime` object.")


def ensure_pendulum_datetime_utc(value: TAnyDateTime) -> pendulum.DateTime:
    """`value` as a pendulum DateTime in UTC: a naive value is taken as UTC, another zone moved."""
    return ensure_pendulum_datetime_non_utc(value).in_tz(UTC)


ensure_pendulum_datetime = ensure_pendulum_datetime_utc


def ensure_pendulum_date(value: TAnyDateTime) -> pendulum.Date:
    """The UTC date of `value` (a date stays that date)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return pendulum.Date(value.year, value.month, value.day)
    return ensure_pendulum_datetime_utc(value).date()


def ensure_pendulum_time(value: Union[str, datetime.time, datetime.timedelta]) -> pendulum.Time:
    """`value` as a naive pendulum Time of the UTC day (an aware time is moved to UTC): a time, an
    ISO time text, or a timedelta of the seconds since midnight (as MySQL drivers give TIME)."""
    def _naive_utc(t: datetime.time) -> pendulum.Time:
        if t.tzinfo is None:
            return pendulum.Time(t.hour, t.minute, t.second, t.microsecond)
        moment = datetime.datetime(1970, 1, 1, t.hour, t.minute, t.second, t.microsecond, tzinfo=t.tzinfo,
                                   fold=getattr(t, "fold", 0)).astimezone(datetime.timezone.utc)
        return pendulum.Time(moment.hour, moment.minute, moment.second, moment.microsecond)

    if isinstance(value, datetime.time):
        return _naive_utc(value)
    if isinstance(value, str):
        parsed = parse_iso_like_datetime(value)
        if isinstance(parsed, datetime.time):
            return _naive_utc(parsed)
        raise ValueError(f"Invalid ISO time string: `{value}`")
    if isinstance(value, datetime.timedelta):
        return pendulum.Time(value.seconds // 3600, (value.seconds // 60) % 60, value.seconds % 60, value.microseconds)
    raise TypeError(f"Cannot coerce `{value}` to `pendulum.Time` object.")


def ensure_datetime(value: TAnyDateTime) -> datetime.datetime:
    """`value` as a Python datetime that keeps its zone (or its naivety)."""
    return to_py_datetime(ensure_pendulum_datetime_non_utc(value))


def ensure_datetime_utc(value: TAnyDateTime, default_tz: datetime.tzinfo = datetime.timezone.utc) -> datetime.datetime:
    """`value` as a Python datetime in UTC; a naive value is taken in `default_tz`."""
    dt = ensure_datetime(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
    return dt.astimezone(datetime.timezone.utc)


def ensure_datetime_in_tz(value: TAnyDateTime, tz: datetime.tzinfo) -> datetime.datetime:
    """`value` as a Python datetime in `tz`; a naive value is taken as a wall-clock time there."""
    dt = ensure_datetime(value)
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt.astimezone(tz)


def to_py_datetime(value: datetime.datetime) -> datetime.datetime:
    """A pendulum DateTime as a plain datetime with the same zone object (another datetime as is)."""
    if isinstance(value, pendulum.DateTime):
        return datetime.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                 value.microsecond, value.tzinfo)
    return value


def to_py_date(value: datetime.date) -> datetime.date:
    if isinstance(value, pendulum.Date):
        return datetime.date(value.year, value.month, value.day)
    return value


def datetime_to_timestamp(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def datetime_to_timestamp_ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def timestamp_within(timestamp: float, min_exclusive: Optional[float], max_inclusive: Optional[float]) -> bool:
    """Whether `timestamp` is after `min_exclusive` and at most `max_inclusive` (None: no bound)."""
    return (min_exclusive is None or timestamp > min_exclusive) and (max_inclusive is None or timestamp <= max_inclusive)


def timestamp_before(timestamp: float, max_inclusive: Optional[float]) -> bool:
    return timestamp_within(timestamp, None, max_inclusive)
