"""Shared types of dlt's public API (exceptions, step infos, typing)."""
