"""Shared types of dlt's public API (exceptions, step infos, typing)."""

from decimal import Decimal  # dlt re-exports it here (`from dlt.common import Decimal`)


def __getattr__(name: str):
    """`from dlt.common import pendulum`: the pendulum library (Debian's python3-pendulum) with UTC
    as its local time zone (dlt.common.pendulum sets it), loaded on first use so that `import dlt`
    does not need it."""
    if name == "pendulum":
        from dlt.common.pendulum import pendulum as library

        globals()["pendulum"] = library  # over the submodule the import just bound here
        return library
    raise AttributeError(f"module 'dlt.common' has no attribute {name!r}")
