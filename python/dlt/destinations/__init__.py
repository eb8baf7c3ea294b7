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


__all__ = ["Destination", "duckdb", "motherduck", "postgres"]
