"""Issues and issue comments of a GitHub repository, loaded with dlt's REST API source.

Needs a token: [sources.github_api] token = "..." in .dlt/secrets.toml (or SOURCES__GITHUB_API__TOKEN).
Run it with `python github_api_pipeline.py` (or `dlt run github_api_pipeline.py`).
"""

import dlt
from dlt.sources.rest_api import rest_api_resources
from dlt.sources.rest_api.typing import RESTAPIConfig


@dlt.source(name="github_api")
def github_api_source(token: str = dlt.secrets.value):
    """Open issues (only those updated since the last run) and the comments of each."""
    config: RESTAPIConfig = {
        "client": {
            "base_url": "https://api.github.com/repos/dlt-hub/dlt/",  # the repository to load
            "headers": {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
            "paginator": {"type": "header_link"},  # GitHub pages with Link: <...>; rel="next"
            "auth": {"type": "bearer", "token": token},
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {"params": {"per_page": 100}},
        },
        "resources": [
            {
                "name": "issues",
                "endpoint": {
                    "path": "issues",
                    "params": {
                        "sort": "updated",
                        "direction": "desc",
                        "state": "open",
                        "since": {
                            "type": "incremental",
                            "cursor_path": "updated_at",
                            "initial_value": "2024-01-01T00:00:00Z",
                        },
                    },
                },
            },
            # the comments of each issue above; the id is copied as `_issues_id`
            {
                "name": "issue_comments",
                "endpoint": {"path": "issues/{resources.issues.number}/comments"},
                "include_from_parent": ["id"],
            },
        ],
    }
    yield from rest_api_resources(config, name="github_api")


pipeline = dlt.pipeline(
    pipeline_name="github_api_pipeline",
    destination="warehouse",
    dataset_name="github_api_data",
    progress="log",
)


if __name__ == "__main__":
    load_info = pipeline.run(github_api_source())
    print(load_info)  # noqa: T201
