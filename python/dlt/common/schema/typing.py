"""dlt.common.schema.typing: the shapes of dlt's schema as plain typed dicts (a table's schema,
its columns, write dispositions, schema contracts), for annotations in user code; and dlt's names
of its own tables and columns."""

from typing import Any, Dict, List, Literal, Optional, Sequence, TypedDict, Union

SCHEMA_ENGINE_VERSION = 11
VERSION_TABLE_NAME = "_dlt_version"
LOADS_TABLE_NAME = "_dlt_loads"
PIPELINE_STATE_TABLE_NAME = "_dlt_pipeline_state"
DLT_NAME_PREFIX = "_dlt"
C_DLT_ID = "_dlt_id"
C_DLT_LOAD_ID = "_dlt_load_id"
C_DLT_LOADS_TABLE_LOAD_ID = "load_id"

TDataType = Literal["text", "double", "bool", "timestamp", "bigint", "binary", "json", "decimal", "wei", "date",
                    "time"]
TColumnHint = Literal["nullable", "partition", "cluster", "primary_key", "sort", "unique", "merge_key", "row_key",
                      "parent_key", "root_key", "hard_delete", "dedup_sort"]
TColumnProp = Literal["name", "data_type", "precision", "scale", "timezone", "nullable", "variant", "partition",
                      "cluster", "primary_key", "sort", "unique", "merge_key", "row_key", "parent_key", "root_key",
                      "hard_delete", "dedup_sort"]
TSortOrder = Literal["asc", "desc"]
TTableFormat = Literal["iceberg", "delta", "hive", "native"]
TFileFormat = Literal["preferred", "jsonl", "typed-jsonl", "insert_values", "parquet", "csv", "reference", "model"]
TWriteDisposition = Literal["skip", "append", "replace", "merge"]
TLoaderMergeStrategy = Literal["delete-insert", "scd2", "upsert", "insert-only"]
TLoaderReplaceStrategy = Literal["truncate-and-insert", "insert-from-staging", "staging-optimized"]
TSchemaEvolutionMode = Literal["evolve", "discard_value", "freeze", "discard_row"]
TSchemaContractEntities = Literal["tables", "columns", "data_type"]
TColumnNames = Union[str, Sequence[str]]

WRITE_DISPOSITIONS: Sequence[str] = sorted(("skip", "append", "replace", "merge"))
MERGE_STRATEGIES: Sequence[str] = sorted(("delete-insert", "scd2", "upsert", "insert-only"))
DEFAULT_VALIDITY_COLUMN_NAMES = ["_dlt_valid_from", "_dlt_valid_to"]


class TColumnType(TypedDict, total=False):
    data_type: Optional[TDataType]
    nullable: Optional[bool]
    precision: Optional[int]
    scale: Optional[int]
    timezone: Optional[bool]


class TColumnSchemaBase(TColumnType, total=False):
    name: Optional[str]


class TColumnSchema(TColumnSchemaBase, total=False):
    """A column: its type and its hints."""

    description: Optional[str]
    partition: Optional[bool]
    cluster: Optional[bool]
    unique: Optional[bool]
    sort: Optional[bool]
    primary_key: Optional[bool]
    row_key: Optional[bool]
    parent_key: Optional[bool]
    root_key: Optional[bool]
    merge_key: Optional[bool]
    variant: Optional[bool]
    hard_delete: Optional[bool]
    dedup_sort: Optional[TSortOrder]
    incremental: Optional[bool]


TTableSchemaColumns = Dict[str, TColumnSchema]


class TSchemaContractDict(TypedDict, total=False):
    tables: Optional[TSchemaEvolutionMode]
    columns: Optional[TSchemaEvolutionMode]
    data_type: Optional[TSchemaEvolutionMode]


TSchemaContract = Union[TSchemaEvolutionMode, TSchemaContractDict]


class TWriteDispositionDict(TypedDict):
    disposition: TWriteDisposition


class TMergeDispositionDict(TWriteDispositionDict, total=False):
    strategy: Optional[TLoaderMergeStrategy]


TWriteDispositionConfig = Union[TWriteDisposition, TWriteDispositionDict, TMergeDispositionDict]


class TTableSchema(TypedDict, total=False):
    """A table: its columns and table-level hints (the `x-normalizer`, `x-loader` processing hints
    may be present too)."""

    name: Optional[str]
    description: Optional[str]
    schema_contract: Optional[TSchemaContract]
    table_sealed: Optional[bool]
    parent: Optional[str]
    filters: Optional[Dict[str, Any]]
    columns: TTableSchemaColumns
    resource: Optional[str]
    table_format: Optional[TTableFormat]
    file_format: Optional[TFileFormat]
    write_disposition: Optional[TWriteDisposition]
    references: Optional[Sequence[Dict[str, Any]]]


class TPartialTableSchema(TTableSchema):
    pass


TSchemaTables = Dict[str, TTableSchema]
TSchemaUpdate = Dict[str, List[TPartialTableSchema]]


class TSchemaSettings(TypedDict, total=False):
    schema_contract: Optional[TSchemaContract]
    detections: Optional[List[str]]
    default_hints: Optional[Dict[str, List[str]]]
    preferred_types: Optional[Dict[str, TDataType]]


class TStoredSchema(TypedDict, total=False):
    """A schema as stored (`schemas/<name>.schema.json`, `pipeline.default_schema.to_dict()`)."""

    version: int
    version_hash: str
    previous_hashes: List[str]
    imported_version_hash: Optional[str]
    engine_version: int
    name: str
    description: Optional[str]
    settings: Optional[TSchemaSettings]
    tables: TSchemaTables
    normalizers: Dict[str, Any]
