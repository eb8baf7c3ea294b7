"""dlt.common.schema: the Schema object (its name; the engine keeps the tables)."""

from typing import Any, Dict


class Schema:
    def __init__(self, name: str, tables: Dict[str, Any] = None) -> None:
        self.name = name
        self.tables: Dict[str, Any] = dict(tables or {})

    def __repr__(self) -> str:
        return f"Schema {self.name} with {len(self.tables)} tables"


TSchemaContract = Any
TColumnSchema = Dict[str, Any]
TTableSchemaColumns = Dict[str, Dict[str, Any]]
