"""Tables of a SQL database loaded with dlt's sql_database source: the public Rfam MySQL
database until you put your own URL in .dlt/secrets.toml ([sources.sql_database] credentials).

Each table becomes a resource named after it, with the columns, types and primary key of the
database's catalog. Run it with `python sql_database_pipeline.py` (or `dlt run
sql_database_pipeline.py`); uncomment another function at the bottom to try it.
"""

import dlt
from dlt.sources.credentials import ConnectionStringCredentials  # noqa: F401
from dlt.sources.sql_database import sql_database, sql_table

pipeline = dlt.pipeline(
    pipeline_name="sql_database_pipeline",
    destination="warehouse",
    dataset_name="sql_database_data",
    progress="log",
)


def load_select_tables_from_database() -> None:
    """A few tables, loaded incrementally and merged by their primary key."""
    # Credentials come from .dlt/secrets.toml; to pass them here instead:
    # credentials = ConnectionStringCredentials("mysql://rfamro@mysql-rfam-public.ebi.ac.uk:4497/Rfam")
    # source = sql_database(credentials, table_names=["family", "clan"])
    source = sql_database(table_names=["family", "clan"])

    # `updated` is a timestamp column of both tables: each run asks the database only for rows
    # changed since the last one.
    source.family.apply_hints(incremental=dlt.sources.incremental("updated"))
    source.clan.apply_hints(incremental=dlt.sources.incremental("updated"))

    # merge: rows already loaded are replaced by their new version (same primary key).
    info = pipeline.run(source, write_disposition="merge")
    print(info)  # noqa: T201


def load_entire_database() -> None:
    """Every table of the database (set `schema` in .dlt/config.toml to pick another schema)."""
    source = sql_database()
    info = pipeline.run(source, write_disposition="replace")
    print(info)  # noqa: T201


def load_standalone_table_resource() -> None:
    """One table as a resource, incremental from a start date, with precision and scale of
    its numeric and text columns."""
    family = sql_table(
        table="family",
        incremental=dlt.sources.incremental("updated", initial_value="2024-01-01T00:00:00Z"),
        reflection_level="full_with_precision",
    )
    info = pipeline.run(family, write_disposition="merge")
    print(info)  # noqa: T201


def specify_columns_to_load() -> None:
    """Some columns of a table only."""
    family = sql_table(table="family", included_columns=["rfam_acc", "description", "updated"])
    info = pipeline.run(family)
    print(info)  # noqa: T201


if __name__ == "__main__":
    load_select_tables_from_database()
    # load_entire_database()
    # load_standalone_table_resource()
    # specify_columns_to_load()
