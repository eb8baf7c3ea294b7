"""dlt's helpers for optional libraries (pydantic), imported only where they are used."""
