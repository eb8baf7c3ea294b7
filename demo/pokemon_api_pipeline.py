"""The PokeAPI (https://pokeapi.co) loaded with dlt's REST API source.

Run it with `python pokemon_api_pipeline.py` (or `dlt run pokemon_api_pipeline.py`). It loads into
the named destination `warehouse` of the active profile: `_local/dev/warehouse.duckdb` under dev;
pin another profile (`dlt profile prod pin`) to load the same data elsewhere.
"""

import dlt
from dlt.sources.rest_api import rest_api_resources
from dlt.sources.rest_api.typing import RESTAPIConfig


@dlt.source
def pokemon_api_source():
    """The pokemon (the first 80, 20 per page), all berries, and the details of each pokemon."""
    config: RESTAPIConfig = {
        "client": {
            # a profile may point it elsewhere: [sources.pokemon_api] base_url in .dlt/*.toml
            "base_url": "https://pokeapi.co/api/v2/",
        },
        "resource_defaults": {
            # every run loads a fresh copy
            "write_disposition": "replace",
        },
        "resources": [
            {
                "name": "pokemon",
                "endpoint": {
                    "path": "pokemon",
                    "data_selector": "results",
                    "paginator": {"type": "offset", "limit": 20, "total_path": "count", "maximum_offset": 60},
                },
            },
            # pagination follows the `next` link of each page (detected)
            {"name": "berry", "endpoint": {"path": "berry", "params": {"limit": 20}}},
            # one request per pokemon above; the parent's `name` is copied as `_pokemon_name`
            {
                "name": "pokemon_details",
                "endpoint": {"path": "pokemon/{resources.pokemon.name}"},
                "include_from_parent": ["name"],
                "primary_key": "id",
                "max_table_nesting": 2,
            },
        ],
    }
    yield from rest_api_resources(config, name="pokemon_api")


pipeline = dlt.pipeline(
    pipeline_name="pokemon_api_pipeline",
    destination="warehouse",
    dataset_name="pokemon_api_data",
    progress="log",
)


if __name__ == "__main__":
    load_info = pipeline.run(pokemon_api_source())
    print(load_info)  # noqa: T201
