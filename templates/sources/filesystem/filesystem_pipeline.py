"""Local files loaded with dlt: JSON Lines files (data/*.jsonl) through a dlt resource, and CSV
files (data/*.csv) through the filesystem source's read_csv, whose rows the engine reads itself
(column types detected; only new or changed files are read on the next run).

Run it with `python filesystem_pipeline.py` (or `dlt run filesystem_pipeline.py`).
"""

import glob
import json
import os

import dlt
from dlt.sources.filesystem import filesystem, read_csv

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


def orders():
    """Every CSV file in data/; files not changed since the last run are not read again."""
    files = filesystem(bucket_url=os.path.join(HERE, "data"), file_glob="*.csv")
    files.apply_hints(incremental=dlt.sources.incremental("modification_date"))
    return (files | read_csv()).with_name("orders")


pipeline = dlt.pipeline(
    pipeline_name="filesystem_pipeline",
    destination="warehouse",
    dataset_name="filesystem_data",
    progress="log",
)


if __name__ == "__main__":
    load_info = pipeline.run([events(), orders()])
    print(load_info)  # noqa: T201
