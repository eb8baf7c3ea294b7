"""Versions: the dlt release whose Python API this package implements, and the engine's."""

__version__ = "1.26.0"
DLT_PKG_NAME = "dlt-cpp"


def engine_version() -> str:
    from dlt._engine import native

    return native.engine_version
