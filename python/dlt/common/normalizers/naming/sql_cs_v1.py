"""dlt's `sql_cs_v1` naming convention (dlt.common.normalizers.naming.sql_cs_v1.NamingConvention)."""

from dlt.common.normalizers.naming import naming


class NamingConvention(naming.NamingConvention):
    _CONVENTION = "sql_cs_v1"
