"""A REST API source to fill in, with dlt's rest_api configuration (every option: README,
"REST API sources"; the commented lines show the common ones).

Run it with `python rest_api_pipeline.py` (or `dlt run rest_api_pipeline.py`).
"""

import dlt
from dlt.sources.rest_api import rest_api_resources
from dlt.sources.rest_api.typing import RESTAPIConfig


@dlt.source(name="rest_api")
def rest_api_source():
    config: RESTAPIConfig = {
        "client": {
            "base_url": "https://api.example.com/v1/",
            # "headers": {"Accept": "application/json"},
            # "auth": {"type": "bearer", "token": dlt.secrets["sources.rest_api.token"]},
            # "paginator": {"type": "json_link", "next_url_path": "next"},
        },
        "resource_defaults": {
            "write_disposition": "append",  # append | replace | merge (with primary_key)
            # "primary_key": "id",
        },
        "resources": [
            {"name": "items", "endpoint": {"path": "items"}},
            # a dependent resource: one request per row of `items`
            # {"name": "item_details", "endpoint": {"path": "items/{resources.items.id}"},
            #  "include_from_parent": ["id"]},
        ],
    }
    yield from rest_api_resources(config, name="rest_api")


pipeline = dlt.pipeline(
    pipeline_name="rest_api_pipeline",
    destination="warehouse",
    dataset_name="rest_api_data",
    progress="log",
)


if __name__ == "__main__":
    load_info = pipeline.run(rest_api_source())
    print(load_info)  # noqa: T201
