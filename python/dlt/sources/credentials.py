"""dlt.sources.credentials: the credential classes sources take (as dlt exports them here)."""

from dlt.common.configuration.specs import ConnectionStringCredentials

__all__ = ["ConnectionStringCredentials"]
