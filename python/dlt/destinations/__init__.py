"""dlt.destinations: destination factories. A factory names the destination type (and an
optional destination name); credentials given to it take precedence over the configuration."""

from typing import Any, Optional


class Destination:
    def __init__(self, destination_type: str, credentials: Any = None, destination_name: Optional[str] = None,
                 **kwargs: Any) -> None:
        self.destination_type = destination_type
        self.destination_name = destination_name or destination_type
        self.credentials = credentials
        self.config_params = kwargs

    @staticmethod
    def from_reference(ref: Any, destination_name: Optional[str] = None, **kwargs: Any) -> Optional["Destination"]:
        if ref is None:
            return None
        if isinstance(ref, Destination):
            return ref
        if callable(ref) and getattr(ref, "_dlt_custom_destination", False):
            return ref()  # the function decorated with @dlt.destination, not called: its defaults
        if isinstance(ref, str):
            # dlt's module form "dlt.destinations.duckdb" names the type
            name = ref.rsplit(".", 1)[-1] if ref.startswith("dlt.destinations.") else ref
            return Destination(name, destination_name=destination_name or name)
        raise ValueError(f"destination must be a name (str) or a destination factory, got {type(ref).__name__}")

    def __repr__(self) -> str:
        return f"Destination({self.destination_name!r}, type={self.destination_type!r})"


def duckdb(credentials: Any = None, destination_name: Optional[str] = None, **kwargs: Any) -> Destination:
    return Destination("duckdb", credentials, destination_name, **kwargs)


def motherduck(credentials: Any = None, destination_name: Optional[str] = None, **kwargs: Any) -> Destination:
    return Destination("motherduck", credentials, destination_name, **kwargs)


def postgres(credentials: Any = None, destination_name: Optional[str] = None, **kwargs: Any) -> Destination:
    return Destination("postgres", credentials, destination_name, **kwargs)


def filesystem(bucket_url: Optional[str] = None, credentials: Any = None, layout: Optional[str] = None,
               destination_name: Optional[str] = None, **kwargs: Any) -> Destination:
    """dlt's filesystem destination: files in `bucket_url` (a folder, file:// or s3://bucket/prefix)
    in dlt's `layout`; `credentials` a dict (or object) with aws_access_key_id,
    aws_secret_access_key, region_name, endpoint_url for s3://."""
    params = {k: v for k, v in dict(bucket_url=bucket_url, layout=layout, **kwargs).items() if v is not None}
    return Destination("filesystem", credentials, destination_name, **params)


# dlt.destinations.destination: the custom destination's factory (what @dlt.destination makes)
from dlt.destinations.decorators import CustomDestination as destination  # noqa: E402

__all__ = ["Destination", "duckdb", "motherduck", "postgres", "filesystem", "destination"]
