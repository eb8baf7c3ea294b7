"""dlt.common.runtime: helpers for pipelines running in production (Slack notifications)."""
