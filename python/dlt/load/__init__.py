"""dlt.load (its exceptions; loading runs in the engine)."""
