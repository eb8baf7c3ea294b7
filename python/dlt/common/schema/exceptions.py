"""dlt.common.schema.exceptions: what a violated schema contract raises."""

from typing import Any, Optional

from dlt.common.exceptions import DltException


class SchemaException(DltException):
    def __init__(self, schema_name: Optional[str], msg: str) -> None:
        self.schema_name = schema_name
        super().__init__(msg)


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
        super().__init__(schema_name, f"Cannot coerce type in table `{table_name}` column `{column_name}` "
                                      f"existing type `{from_type}` coerced type `{to_type}` value: {coerced_value!r}")


class DataValidationError(SchemaException):
    """A row or a column violates a frozen schema contract (the engine's message names the table,
    the column and the record)."""

    def __init__(self, schema_name: Optional[str], table_name: Optional[str], column_name: Optional[str],
                 schema_entity: Optional[str], contract_mode: Optional[str], table_schema: Any = None,
                 schema_contract: Any = None, data_item: Any = None, extended_info: Optional[str] = None) -> None:
        self.table_name = table_name
        self.column_name = column_name
        self.schema_entity = schema_entity
        self.contract_mode = contract_mode
        self.table_schema = table_schema
        self.schema_contract = schema_contract
        self.data_item = data_item
        super().__init__(schema_name, extended_info or f"Contract on `{schema_entity}` with `{contract_mode=}` is violated")
