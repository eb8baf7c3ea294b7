// The helpers of dlt's that pipeline scripts import besides the decorators: dlt.common.logger
// (the `dlt` logger at the profile's [runtime] log_level), dlt.common.utils (ids and digests),
// dlt.common.time (dates, times and timestamps as pendulum objects) and
// dlt.sources.helpers.transform (take_first, skip_first and pivot for add_filter / add_map).
#include <gtest/gtest.h>

#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonCommonHelpers, LoggerLogsAtTheProfilesLogLevelWithTheCallersLine) {
  TempWorkspace w;
  const char* script = R"PY(
from dlt.common import logger
logger.debug("a debug line")
logger.info("an info line %s", 7)
logger.warning("a warning line")
print(logger.log_level())
try:
    1 / 0
except ZeroDivisionError:
    logger.exception("boom")
)PY";
  auto r = RunPythonSource(w, "log.py", script);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "WARNING\n");  // dlt's default level
  EXPECT_EQ(r.err.find("an info line"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("|[WARNING]|"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("|dlt|log.py|<module>:5|a warning line"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("|[ERROR]|"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("|log.py|<module>:10|boom"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ZeroDivisionError"), std::string::npos) << r.err;

  w.Write(".dlt/config.toml", "[runtime]\nlog_level = \"INFO\"\n");
  r = RunPython(w, "log.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "INFO\n");
  EXPECT_NE(r.err.find("|[INFO]|"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("|log.py|<module>:4|an info line 7"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("a debug line"), std::string::npos) << r.err;
}

TEST(PythonCommonHelpers, UtilsAndTimeGiveDltsValues) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "t.py", R"PY(
import datetime
from dlt.common.utils import uniq_id, uniq_id_base64, digest128, digest256, chunks, str2bool
from dlt.common.time import (ensure_pendulum_datetime, ensure_pendulum_datetime_non_utc, ensure_pendulum_date,
                             ensure_pendulum_time, parse_iso_like_datetime, timestamp_within)
print(len(uniq_id()), len(uniq_id_base64(10)), digest128("abc"), digest256("abc"))
print(list(chunks(range(5), 2)), str2bool("yes"), str2bool("0"))
for v in ("2024-01-02", "2024-01-02T10:00:00+02:00", "2024-01-02T10:00:00Z", 1700000000, 1.5,
          datetime.date(2024, 5, 1), datetime.datetime(2024, 5, 1, 12)):
    print(repr(ensure_pendulum_datetime(v)))
print(repr(ensure_pendulum_datetime_non_utc("2024-01-02T10:00:00")), repr(ensure_pendulum_datetime_non_utc("2024-01-02T10:00:00+02:00")))
print(repr(ensure_pendulum_date("2024-01-02T23:30:00-02:00")), repr(ensure_pendulum_date(datetime.date(2024, 2, 29))))
print(repr(parse_iso_like_datetime("2024-01-02")), repr(parse_iso_like_datetime("10:11:12")), repr(ensure_pendulum_time("01:01:01")))
print(timestamp_within(5, 4, 5), timestamp_within(4, 4, 5))
print(repr(ensure_pendulum_datetime("20240115")), repr(ensure_pendulum_datetime("2024")), repr(ensure_pendulum_datetime("1700000000")))
print(repr(ensure_pendulum_time(datetime.time(10, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))),
      repr(ensure_pendulum_time(datetime.timedelta(seconds=3661))))
from dlt.common.time import ensure_datetime, ensure_datetime_utc, ensure_datetime_in_tz
print(repr(ensure_datetime_utc("2024-01-02T10:00:00", default_tz=datetime.timezone(datetime.timedelta(hours=1)))),
      repr(ensure_datetime_in_tz("2024-01-02T10:00:00Z", datetime.timezone(datetime.timedelta(hours=-5)))))
try:
    ensure_pendulum_time(3600)
except TypeError:
    print("TypeError")
try:
    ensure_pendulum_datetime(object())
except TypeError as e:
    print("TypeError")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // digests as Python's hashlib gives them (SHAKE-128, 15 bytes; SHA3-256), in base64
  EXPECT_EQ(r.out,
            "32 14 WIEJLdgYv1z4o923k/vL Ophdp0/iJbIEXBcta9OQvYVfCG4+nVJbRr/iRRFDFTI=\n"
            "[[0, 1], [2, 3], [4]] True False\n"
            "DateTime(2024, 1, 2, 0, 0, 0, tzinfo=Timezone('UTC'))\n"
            "DateTime(2024, 1, 2, 8, 0, 0, tzinfo=Timezone('UTC'))\n"
            "DateTime(2024, 1, 2, 10, 0, 0, tzinfo=Timezone('UTC'))\n"
            "DateTime(2023, 11, 14, 22, 13, 20, tzinfo=Timezone('UTC'))\n"
            "DateTime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=Timezone('UTC'))\n"
            "DateTime(2024, 5, 1, 0, 0, 0, tzinfo=Timezone('UTC'))\n"
            "DateTime(2024, 5, 1, 12, 0, 0, tzinfo=Timezone('UTC'))\n"
            "DateTime(2024, 1, 2, 10, 0, 0) DateTime(2024, 1, 2, 10, 0, 0, tzinfo=Timezone('+02:00'))\n"
            "Date(2024, 1, 3) Date(2024, 2, 29)\n"
            "Date(2024, 1, 2) Time(10, 11, 12) Time(1, 1, 1)\n"
            "True False\n"
            "DateTime(2024, 1, 15, 0, 0, 0, tzinfo=Timezone('UTC')) DateTime(2024, 1, 1, 0, 0, 0, tzinfo=Timezone('UTC')) "
            "DateTime(2023, 11, 14, 22, 13, 20, tzinfo=Timezone('UTC'))\n"
            "Time(8, 0, 0) Time(1, 1, 1)\n"
            "datetime.datetime(2024, 1, 2, 9, 0, tzinfo=datetime.timezone.utc) "
            "datetime.datetime(2024, 1, 2, 5, 0, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))\n"
            "TypeError\nTypeError\n");
}

TEST(PythonCommonHelpers, TakeFirstSkipFirstAndPivotTransformTheItemsOfARun) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "tr.py", R"PY(
import dlt
from dlt.sources.helpers.transform import take_first, skip_first, pivot

@dlt.resource
def rows():
    for i in range(10):
        yield {"id": i, "m": [[i, 2], [3, 4]]}

p = dlt.pipeline(pipeline_name="tr", destination="duckdb", dataset_name="d")
p.run(rows().add_filter(skip_first(2)).add_filter(take_first(3)).add_map(pivot("$.m", "c")), table_name="t")
with p.sql_client() as c:
    print(c.execute_sql("SELECT id FROM t ORDER BY id"))
    print(c.execute_sql("SELECT c0, c1 FROM t__m ORDER BY c0, c1"))
print(pivot()([1, 3, 5]), pivot(["a[*].b"], "v")({"a": [{"b": [[1]]}, {"b": []}]}))
print(pivot("$.a.inner_1|inner_2")({"a": {"inner_1": [[1]], "inner_2": [[2]], "inner_3": [[3]]}}))
print(pivot("$..deep", "d")({"x": {"y": {"deep": [[1, 2]]}}, "deep": [["s"]]}), pivot("s")({"s": ["ab"]}))
for bad in ({"a": 1}, {"a": [1]}):
    try:
        pivot("a")(bad)
    except ValueError as e:
        print(e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "[(2,), (3,), (4,)]\n[(2, 2), (3, 2), (3, 4), (3, 4), (3, 4), (4, 2)]\n"
            "[{'col0': 1, 'col1': 3, 'col2': 5}] {'a': [{'b': [{'v0': 1}]}, {'b': []}]}\n"
            "{'a': {'inner_1': [{'col0': 1}], 'inner_2': [{'col0': 2}], 'inner_3': [[3]]}}\n"
            "{'x': {'y': {'deep': [{'d0': 1, 'd1': 2}]}}, 'deep': [{'d0': 's'}]} {'s': [{'col0': 'a', 'col1': 'b'}]}\n"
            "Pivot transformer is only applicable to sequences fields, however, the value of `a` is not a "
            "sequence.\n"
            "Pivot transformer is only applicable to sequences, however, the value of `a` includes a non-sequence "
            "element.\n");
}

// dlt.common.normalizers.naming: each convention's NamingConvention names as the engine's loads
// do (and shortens to max_length with dlt's tag); a schema's `naming` is its convention.
TEST(PythonCommonHelpers, NamingConventionsNameAsTheLoadDoes) {
  TempWorkspace w;
  auto r = RunPythonSource(w, "nm.py", R"PY(
import dlt
from dlt.common.normalizers.naming import NamingConvention
from dlt.common.normalizers.naming.snake_case import NamingConvention as SnakeCase
from dlt.common.normalizers.naming.sql_cs_v1 import NamingConvention as SqlCs
from dlt.common.normalizers.naming.direct import NamingConvention as Direct
n = SnakeCase()
print(n.normalize_identifier("Foo Bar"), n.normalize_path("A__B c"), n.make_path("a", " ", "b"), n.break_path("a__b"),
      n.is_case_sensitive, SnakeCase.name(), isinstance(n, NamingConvention))
print(SnakeCase(max_length=10).normalize_identifier("a_very_long_identifier_name"), SqlCs().normalize_identifier("Foo Bar"),
      SqlCs().is_case_sensitive, Direct().make_path("a", "b"))
p = dlt.pipeline(pipeline_name="nm", destination="duckdb", dataset_name="d")
p.run([{"Some Col": {"Inner X": 1}}], table_name="My Table")
schema = p.default_schema
table = schema.naming.normalize_table_identifier("My Table")
print(schema.naming.name(), table, schema.naming.normalize_path("Some Col__Inner X") in schema.tables[table]["columns"])
try:
    n.normalize_identifier("  ")
except ValueError:
    print("ValueError")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "foo_bar a__b_c a__b ['a', 'b'] False snake_case True\n"
                   "a_ebfjtgme Foo_Bar True a\xe2\x96\xb6" "b\n"
                   "snake_case my_table True\nValueError\n");
}

}  // namespace
}  // namespace dlt::testing
