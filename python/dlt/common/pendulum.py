"""dlt.common.pendulum: `from dlt.common.pendulum import pendulum, timedelta`, as dlt's docs
import them. `pendulum` is Debian's python3-pendulum library (scripts/bootstrap.sh installs it),
with UTC as its local time zone, so that `pendulum.now()` and friends never hand a machine's local
zone to a load. The library's own names are also read through this module
(`dlt.common.pendulum.datetime(...)`), since `from dlt.common import pendulum` may give it."""

from datetime import timedelta, tzinfo  # noqa: F401  (re-exported, as dlt's module does)
from typing import Any

try:
    import pendulum
except ImportError:  # pragma: no cover  (bootstrap installs it)
    from dlt.common.exceptions import MissingDependencyException

    raise MissingDependencyException("dlt.common.pendulum", ["pendulum"],
                                     "install Debian's python3-pendulum (scripts/bootstrap.sh does)") from None

pendulum.set_local_timezone(pendulum.timezone("UTC"))


def __getattr__(name: str) -> Any:
    try:
        return getattr(pendulum, name)
    except AttributeError:
        raise AttributeError(f"module 'dlt.common.pendulum' has no attribute {name!r}") from None
