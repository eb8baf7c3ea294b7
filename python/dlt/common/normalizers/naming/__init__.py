"""dlt.common.normalizers.naming: `NamingConvention`, and one module per convention dlt-cpp names
tables and columns with (snake_case, direct, sql_cs_v1, sql_ci_v1, duck_case)."""

from dlt.common.normalizers.naming.naming import NamingConvention

__all__ = ["NamingConvention"]
