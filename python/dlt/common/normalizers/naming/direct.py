"""dlt's `direct` naming convention (dlt.common.normalizers.naming.direct.NamingConvention)."""

from dlt.common.normalizers.naming import naming


class NamingConvention(naming.NamingConvention):
    _CONVENTION = "direct"
