"""dlt.normalize (its exceptions; normalizing runs in the engine)."""
