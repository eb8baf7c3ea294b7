// Python values reach the destination with their types, as dlt types them: datetime (naive and
// aware), date, time, Decimal, bytes, UUID, Enum, big ints, NaN, namedtuples and dataclasses,
// into DuckDB and PostgreSQL, written by the binding as typed JSON (no json.dumps).
#include <gtest/gtest.h>

#include "pg_server.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const char* kTypesScript = R"PY(
import sys, dlt, uuid, enum, math, dataclasses, collections
from datetime import datetime, date, time, timezone, timedelta
from decimal import Decimal

class Color(enum.Enum):
    RED = "red"

Point = collections.namedtuple("Point", "x y")

@dataclasses.dataclass
class Owner:
    name: str
    since: date

def rows():
    yield {
        "id": 1,
        "aware": datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2))),
        "utc": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "naive": datetime(2024, 1, 2, 3, 4, 5),
        "day": date(2024, 2, 29),
        "at": time(13, 14, 15, 500000),
        "amount": Decimal("12345678901234567890.123456789"),
        "blob": b"\x00\x01\xff'\\",
        "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "color": Color.RED,
        "big": 2 ** 70,
        "nan": math.nan,
        "whole": 2.0,
        "point": Point(1, 2),
        "owner": Owner("ada", date(2020, 1, 1)),
        "text": "caf\u00e9 \U0001F600 \"quoted\"\n",
    }

dlt.pipeline(pipeline_name="types", destination=sys.argv[1], dataset_name="types_data").run(rows(), table_name="t")
)PY";

TEST(PythonTypes, EachPythonTypeLoadsIntoDuckDbAsItsColumnTypeWithItsExactValue) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "load_types.py", kTypesScript, {"duckdb"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path db = w.root() / "_local/dev/types.duckdb";
  auto type_of = [&](const std::string& col) {
    return SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'types_data' AND "
                        "table_name = 't' AND column_name = '" + col + "'");
  };
  EXPECT_EQ(type_of("aware"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(type_of("naive"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(type_of("day"), "DATE");
  EXPECT_EQ(type_of("at"), "TIME");
  EXPECT_EQ(type_of("amount"), "DECIMAL(38,9)");
  EXPECT_EQ(type_of("blob"), "BLOB");
  EXPECT_EQ(type_of("uid"), "VARCHAR");
  EXPECT_EQ(type_of("color"), "VARCHAR");
  EXPECT_EQ(type_of("whole"), "DOUBLE");
  EXPECT_EQ(type_of("point__x"), "BIGINT");
  EXPECT_EQ(type_of("owner__since"), "DATE");
  // NaN is null (as orjson writes it), and a column that only ever saw null is not created (dlt).
  EXPECT_EQ(type_of("nan"), "<no rows>");
  std::string q = "SELECT epoch_us(aware), epoch_us(utc), epoch_us(naive), day::VARCHAR, \"at\"::VARCHAR, amount::VARCHAR, "
                  "hex(blob), uid, color, big::VARCHAR, whole, point__y, owner__name, text "
                  "FROM types_data.t";
  SqlRows rows = QueryDuckDb(db, q);
  ASSERT_EQ(rows.size(), 1u);
  std::vector<std::string> got;
  for (const auto& v : rows[0]) got.push_back(v.value_or("NULL"));
  EXPECT_EQ(got, (std::vector<std::string>{"1704157445123456", "1704164645000000", "1704164645000000", "2024-02-29",
                                           "13:14:15.5", "12345678901234567890.123456789", "0001FF275C",
                                           "12345678-1234-5678-1234-567812345678", "red",
                                           "1180591620717411303424.000000000", "2.0", "2", "ada",
                                           "caf\xC3\xA9 \xF0\x9F\x98\x80 \"quoted\"\n"}));
}

TEST(PythonTypes, EachPythonTypeLoadsIntoPostgresWithItsExactValue) {
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace w;
  w.WriteSecrets("[destination.postgres]\ncredentials = \"" + pg.Url() + "\"\n");
  auto r = RunPythonSource(w, "load_types.py", kTypesScript, {"postgres"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string got = pg.Psql(
      "SELECT aware AT TIME ZONE 'UTC', naive AT TIME ZONE 'UTC', day, \"at\", amount, encode(blob, 'hex'), uid, color, "
      "big, point__x, owner__since FROM types_data.t",
      "dw");
  EXPECT_EQ(got, "2024-01-02 01:04:05.123456|2024-01-02 03:04:05|2024-02-29|13:14:15.5|12345678901234567890.123456789|"
                 "0001ff275c|12345678-1234-5678-1234-567812345678|red|1180591620717411303424.000000000|1|2020-01-01\n")
      << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, "loader_pw_123"));
}

// A bigint column hint with a precision (a number of bits) picks dlt's integer type of the
// destination: DuckDB TINYINT / SMALLINT / INTEGER / BIGINT / HUGEINT, PostgreSQL smallint /
// integer / bigint; the values load into them as they are.
const char* kIntegersScript = R"PY(
import sys, dlt
cols = {"i8": {"data_type": "bigint", "precision": 8}, "i16": {"data_type": "bigint", "precision": 16},
        "i32": {"data_type": "bigint", "precision": 32}, "i64": {"data_type": "bigint", "precision": 64},
        "plain": {"data_type": "bigint"}}
p = dlt.pipeline("ints", destination=sys.argv[1], dataset_name="ints_data")
p.run([{"i8": 127, "i16": -32768, "i32": 2147483647, "i64": -9223372036854775808, "plain": 1}], table_name="t", columns=cols)
with p.sql_client() as c:
    print(c.execute_sql("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ints_data' "
                        "AND table_name = 't' AND column_name NOT LIKE '_dlt%' ORDER BY column_name"))
    print(c.execute_sql("SELECT i8, i16, i32, i64, plain FROM ints_data.t"))
)PY";

TEST(PythonTypes, BigintPrecisionPicksTheDestinationsIntegerType) {
  TempWorkspace w;
  auto duck = RunPythonSource(w, "ints.py", kIntegersScript, {"duckdb"});
  ASSERT_EQ(duck.exit_code, 0) << duck.out << duck.err;
  EXPECT_EQ(duck.out,
            "[('i16', 'SMALLINT'), ('i32', 'INTEGER'), ('i64', 'BIGINT'), ('i8', 'TINYINT'), ('plain', 'BIGINT')]\n"
            "[(127, -32768, 2147483647, -9223372036854775808, 1)]\n");
  PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  TempWorkspace pw;
  pw.WriteSecrets("[destination.postgres]\ncredentials = \"" + pg.Url() + "\"\n");
  auto post = RunPythonSource(pw, "ints.py", kIntegersScript, {"postgres"});
  ASSERT_EQ(post.exit_code, 0) << post.out << post.err;
  EXPECT_EQ(post.out,
            "[('i16', 'smallint'), ('i32', 'integer'), ('i64', 'bigint'), ('i8', 'smallint'), ('plain', 'bigint')]\n"
            "[(127, -32768, 2147483647, -9223372036854775808, 1)]\n");
}

// Times of day as dlt's ensure_pendulum_time coerces them into a time column: one with a UTC
// offset (an ISO string or an aware datetime.time) is shifted to UTC, around midnight if need
// be, and made naive; text that is not a time of day (a datetime too) goes to the variant column.
TEST(PythonTypes, TimesWithAnOffsetAreStoredInUtcAndOtherTextGoesToAVariant) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "times.py", R"PY(
import datetime, dlt
plus2 = datetime.timezone(datetime.timedelta(hours=2))
rows = [{"id": 1, "t": "14:01:02+02:00"}, {"id": 2, "t": "01:30:00+02:00"}, {"id": 3, "t": "23:59:59.5"},
        {"id": 4, "t": "not a time"}, {"id": 5, "t": datetime.time(14, 1, 2, tzinfo=plus2)},
        {"id": 6, "t": datetime.time(9, 5)}, {"id": 7, "t": "2024-01-01T10:00:00"}, {"id": 8, "t": "10:00:00Z"},
        {"id": 9, "t": datetime.time(23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))}]
p = dlt.pipeline("tz_time", destination="duckdb", dataset_name="tzd")
p.run(rows, table_name="times", columns={"t": {"data_type": "time"}})
with p.sql_client() as c:
    for row in c.execute_sql("SELECT id, CAST(t AS VARCHAR), t__v_text FROM tzd.times ORDER BY id"):
        print(row)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "(1, '12:01:02', None)\n(2, '23:30:00', None)\n(3, '23:59:59.5', None)\n(4, None, 'not a time')\n"
            "(5, '12:01:02', None)\n(6, '09:05:00', None)\n(7, None, '2024-01-01T10:00:00')\n(8, '10:00:00', None)\n"
            "(9, '02:00:00', None)\n");
}

TEST(PythonTypes, DltsCommonHelpersPendulumJsonAndTypingWorkAsInDltScripts) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "helpers.py", R"PY(
import dlt
from decimal import Decimal
from dlt.common import json, pendulum
from dlt.common.typing import TDataItem, TDataItems

print(json.dumps({"d": Decimal("1.10"), "t": pendulum.datetime(2024, 1, 2, tz="UTC"), "b": b"hi"}, sort_keys=True))
print(json.loads('{"a": [1, 2]}'), json.typed_loads(json.typed_dumps({"x": Decimal("2.5")})))

@dlt.resource(primary_key="id")
def items(updated=dlt.sources.incremental("updated", initial_value=pendulum.datetime(2024, 1, 2, tz="UTC"))) -> TDataItems:
    yield [{"id": i, "updated": pendulum.datetime(2024, 1, i, tz="UTC")} for i in (1, 2, 3)]

p = dlt.pipeline(pipeline_name="helpers", destination="duckdb", dataset_name="h")
p.run(items())
print(sorted(r[0] for r in p.dataset()("SELECT id FROM items").fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "{\"b\":\"aGk=\",\"d\":\"1.10\",\"t\":\"2024-01-02T00:00:00+00:00\"}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "{'a': [1, 2]} {'x': Decimal('2.5')}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[2, 3]\n")) << r.out << "rows from the pendulum initial_value on";
}

}  // namespace
}  // namespace dlt::testing
