"""dlt on a native engine (dlt-cpp): dlt's Python API; extract, normalize and load run in C++.

    import dlt

    @dlt.resource(primary_key="id", write_disposition="merge")
    def users():
        yield [{"id": 1, "name": "Ada"}]

    pipeline = dlt.pipeline(pipeline_name="demo", destination="duckdb", dataset_name="demo_data")
    print(pipeline.run(users()))
"""

from dlt.version import __version__
from dlt.common.configuration.accessors import config, secrets
from dlt.extract.decorators import defer, resource, source, transformer
from dlt.extract.incremental import Incremental
from dlt.pipeline import attach, pipeline, run, Pipeline
from dlt.pipeline import mark
from dlt.common.schema import Schema
from dlt import current, destinations, sources
from dlt.destinations.decorators import destination

from typing import Any as _Any

from dlt.common.typing import TSecretStrValue, TSecretValue

TCredentials = _Any

__all__ = ["__version__", "config", "secrets", "source", "resource", "transformer", "defer", "pipeline",
           "run", "attach", "Pipeline", "current", "destinations", "destination", "sources", "Incremental", "mark",
           "Schema"]


def __getattr__(name: str) -> _Any:
    # dlt.Dataset / dlt.Relation (for type hints): the classes of pipeline.dataset(), loaded when asked
    if name in ("Dataset", "Relation"):
        import dlt.dataset as _dataset

        return getattr(_dataset, name)
    raise AttributeError(f"module 'dlt' has no attribute {name!r}")
