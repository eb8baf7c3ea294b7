"""dlt.common.destination: destination references."""

from dlt.destinations import Destination  # noqa: F401
