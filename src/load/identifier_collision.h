// dlt's check of a schema against a destination whose identifiers are case insensitive (DuckDB,
// MotherDuck; dlt's verify_schema_capabilities): with a case-sensitive naming convention
// (`direct`, `sql_cs_v1`, `duck_case`) two tables, or two columns of a table, may be named apart
// only by case (`Name`, `name`); such a destination would see one name. The load stops before
// anything is written, with dlt's SchemaIdentifierNormalizationCollision message.
#pragma once

#include <optional>
#include <string>

#include "normalize/schema.h"

namespace dlt {

// The first collision of the schema's data tables (each table's name, then its columns, in
// schema order, the later name reported against the earlier), or nullopt. Names are folded as
// DuckDB folds identifiers (ASCII letters only; dlt folds with Python's str.casefold, which also
// folds other scripts' letters, which DuckDB keeps apart).
std::optional<std::string> FindIdentifierCollision(const Schema& schema);

// dlt's IdentifierTooLongException: the first data table or column name (dlt's own `_dlt_*` left
// out) of the schema longer than
// `max_length` characters (a package normalized without the destination's limit, as by
// `pipeline.normalize()` of a pipeline without a destination), or nullopt. 0: no limit.
std::optional<std::string> FindTooLongIdentifier(const Schema& schema, size_t max_length,
                                                 const std::string& destination_type);

}  // namespace dlt
