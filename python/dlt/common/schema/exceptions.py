"""dlt.common.schema.exceptions: schema errors with dlt's names, bases and messages (a schema
name prefixes the message: "In schema `x`: ...")."""

from typing import Any, List, Optional

from dlt.common.exceptions import DltException


class SchemaException(DltException):
    def __init__(self, schema_name: Optional[str], msg: str) -> None:
        self.schema_name = schema_name
        super().__init__(f"In schema `{schema_name}`: " + msg if schema_name else msg)


class InvalidSchemaName(ValueError, SchemaException):
    """A source (and so schema) name that is no Python identifier of at most 64 characters."""

    MAXIMUM_SCHEMA_NAME_LENGTH = 64

    def __init__(self, schema_name: str) -> None:
        self.name = schema_name
        SchemaException.__init__(
            self, schema_name,
            f"`{schema_name}` is an invalid schema/source name. The source or schema name must be a valid Python "
            f"identifier ie. a snake case function name and have maximum {self.MAXIMUM_SCHEMA_NAME_LENGTH} "
            "characters. Ideally should contain only small letters, numbers and underscores.")


def is_valid_schema_name(name: Any) -> bool:
    return isinstance(name, str) and name.isidentifier() and len(name) <= InvalidSchemaName.MAXIMUM_SCHEMA_NAME_LENGTH


class CannotCoerceColumnException(SchemaException):
    def __init__(self, schema_name: Optional[str], table_name: str, column_name: str, from_type: str, to_type: str,
                 coerced_value: Any = None) -> None:
        self.table_name = table_name
        self.column_name = column_name
        self.from_type = from_type
        self.to_type = to_type
        self.coerced_value = coerced_value
        super().__init__(schema_name, f"Cannot coerce type `{from_type}` to `{to_type}` for value `{coerced_value}` "
                                      f"in table `{table_name}` column `{column_name}`")


class TablePropertiesConflictException(SchemaException):
    def __init__(self, schema_name: str, table_name: str, prop_name: str, val1: str, val2: str) -> None:
        self.table_name = table_name
        self.prop_name = prop_name
        self.val1 = val1
        self.val2 = val2
        super().__init__(schema_name, f"Cannot merge partial tables into table `{table_name}` due to property "
                                      f"`{prop_name}` with different values: `{val1} != {val2}`")


class ParentTableNotFoundException(SchemaException):
    def __init__(self, schema_name: str, table_name: str, parent_table_name: str, explanation: str = "") -> None:
        self.table_name = table_name
        self.parent_table_name = parent_table_name
        super().__init__(schema_name, f"Parent table `{parent_table_name}` for `{table_name}` was not found in "
                                      f" `schema.{explanation}`")


class CannotCoerceNullException(SchemaException):
    def __init__(self, schema_name: str, table_name: str, column_name: str) -> None:
        self.table_name = table_name
        self.column_name = column_name
        super().__init__(schema_name, f"Cannot coerce NULL in table `{table_name}` column `{column_name}` which is "
                                      "not nullable")


class SchemaCorruptedException(SchemaException):
    pass


class SchemaIdentifierNormalizationCollision(SchemaCorruptedException):
    """Two tables, or two columns of a table, named apart only by case on a destination whose
    identifiers are case insensitive (the engine's message, as dlt words it)."""

    def __init__(self, schema_name: str, table_name: str, identifier_type: str, identifier_name: str,
                 conflict_identifier_name: str, naming_name: str, collision_msg: str) -> None:
        table_info = f" in table `{table_name}`" if identifier_type == "column" else ""
        msg = (f"A `{identifier_type}` name `{identifier_name}`{table_info} collides with `{conflict_identifier_name}`"
               f" after normalization with `{naming_name}` naming convention. " + collision_msg)
        self.table_name = table_name
        self.identifier_type = identifier_type
        self.identifier_name = identifier_name
        self.conflict_identifier_name = conflict_identifier_name
        self.naming_name = naming_name
        super().__init__(schema_name, msg)


class SchemaEngineNoUpgradePathException(SchemaException):
    def __init__(self, schema_name: str, init_engine: int, from_engine: int, to_engine: int) -> None:
        self.init_engine = init_engine
        self.from_engine = from_engine
        self.to_engine = to_engine
        super().__init__(schema_name, f"No engine upgrade path in schema `{schema_name}` from engine `{init_engine}` "
                                      f"to `{to_engine}`, stopped at `{from_engine}`.")


class DataValidationError(SchemaException):
    """`data_item` violates `contract_mode` ("freeze") on `schema_entity` (tables, columns or
    data_type) of `table_name` (and `column_name`) in `schema_name`."""

    def __init__(self, schema_name: Optional[str], table_name: Optional[str], column_name: Optional[str],
                 schema_entity: Optional[str], contract_mode: Optional[str], table_schema: Any = None,
                 schema_contract: Any = None, data_item: Any = None, extended_info: Optional[str] = None) -> None:
        where = f"Table: `{table_name}` " + (f"Column: `{column_name}`" if column_name else "")
        super().__init__(schema_name, f"In {where} . Contract on `{schema_entity}` with `{contract_mode=:}` is "
                                      f"violated. " + (extended_info or ""))
        self.table_name = table_name
        self.column_name = column_name
        self.schema_entity = schema_entity
        self.contract_mode = contract_mode
        self.table_schema = table_schema
        self.schema_contract = schema_contract
        self.data_item = data_item


class TableNotFound(KeyError, SchemaException):
    def __init__(self, schema_name: str, table_name: str) -> None:
        self.table_name = table_name
        SchemaException.__init__(self, schema_name, f"Table not found: `{table_name}`")

    def __str__(self) -> str:  # a KeyError would show its message quoted
        return str(self.args[0]) if self.args else ""


class IncompatibleSchemaException(SchemaException):
    def __init__(self, schema_name: str, other_name: str, reason: str) -> None:
        self.other_name = other_name
        super().__init__(schema_name, f"Cannot unify with schema `{other_name}`: {reason}")


class ColumnNameConflictException(SchemaException):
    pass


class UnboundColumnException(SchemaException):
    """Columns declared (keys, non-nullable columns) that received no data in a load."""

    def __init__(self, schema_name: str, table_name: str, columns: List[Any]) -> None:
        self.columns = columns
        self.table_name = table_name
        lines = []
        for c in columns:
            key = "merge key" if c.get("merge_key") else "primary key" if c.get("primary_key") else ""
            line = f"  - {c['name']}"
            if key or not c.get("nullable", True):
                line += " (marked as non-nullable" + (f" {key}" if key else "") + " and must have values)"
            lines.append(line)
        super().__init__(schema_name, f"The following columns in table `{table_name}` did not receive any data during "
                                      "this load:\n" + "\n".join(lines))
