"""Shared types of dlt's public API (exceptions, step infos, typing)."""

from decimal import Decimal  # dlt re-exports it here (`from dlt.common import Decimal`)


def __getattr__(name: str):
    """`from dlt.common import pendulum` (dlt's re-export of the pendulum library, Debian's
    python3-pendulum), loaded on first use so that `import dlt` does not need it."""
    if name == "pendulum":
        try:
            import pendulum
        except ImportError:
            from dlt.common.exceptions import MissingDependencyException

            raise MissingDependencyException("dlt.common.pendulum", ["pendulum"],
                                             "install Debian's python3-pendulum (scripts/bootstrap.sh does)") from None
        return pendulum
    raise AttributeError(f"module 'dlt.common' has no attribute {name!r}")
