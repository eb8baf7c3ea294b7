"""Local JSON Lines files (data/*.jsonl) loaded with a dlt resource.

Run it with `python filesystem_pipeline.py` (or `dlt run filesystem_pipeline.py`).
"""

import glob
import json
import os

import dlt

HERE = os.path.dirname(os.path.abspath(__file__))


@dlt.resource(
    name="events",
    write_disposition="merge",
    primary_key="id",
)
def events(
    pattern: str = "data/*.jsonl",
    created_at=dlt.sources.incremental("created_at", initial_value="2024-01-01T00:00:00Z"),
):
    """Every row of the matching files; only rows created since the last run are loaded."""
    for path in sorted(glob.glob(os.path.join(HERE, pattern))):
        with open(path, encoding="utf-8") as f:
            yield [json.loads(line) for line in f if line.strip()]


pipeline = dlt.pipeline(
    pipeline_name="filesystem_pipeline",
    destination="warehouse",
    dataset_name="filesystem_data",
    progress="log",
)


if __name__ == "__main__":
    load_info = pipeline.run(events())
    print(load_info)  # noqa: T201
