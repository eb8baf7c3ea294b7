"""A small offline stand-in for the PokeAPI (https://pokeapi.co/api/v2/) for `make demo`: the
same JSON shapes for /pokemon (offset/limit pages with `count` and `next`), /pokemon/<name> and
/berry, from generated data. Prints its base URL, then serves on 127.0.0.1 until killed."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TYPES = ["grass", "fire", "water", "bug", "normal", "poison", "electric"]
POKEMON = [f"pokemon-{i}" for i in range(1, 152)]
BERRIES = [f"berry-{i}" for i in range(1, 65)]


def details(i: int, name: str) -> dict:
    types = [{"slot": 1, "type": {"name": TYPES[i % len(TYPES)]}}]
    if i % 3 == 0:
        types.append({"slot": 2, "type": {"name": TYPES[(i + 2) % len(TYPES)]}})
    return {"id": i, "name": name, "height": 3 + i % 17, "weight": 40 + (i * 7) % 900,
            "base_experience": 50 + i % 200, "types": types,
            "abilities": [{"ability": {"name": f"ability-{i % 11}"}, "is_hidden": i % 5 == 0, "slot": 1}]}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def send_json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def page(self, names, kind):
        q = parse_qs(urlparse(self.path).query)
        offset = int(q.get("offset", ["0"])[0])
        limit = int(q.get("limit", ["20"])[0])
        base = f"http://127.0.0.1:{self.server.server_port}/api/v2/{kind}"
        nxt = f"{base}?offset={offset + limit}&limit={limit}" if offset + limit < len(names) else None
        results = [{"name": n, "url": f"{base}/{n}/"} for n in names[offset:offset + limit]]
        self.send_json({"count": len(names), "next": nxt, "previous": None, "results": results})

    def do_GET(self):
        path = urlparse(self.path).path.rstrip("/")
        if path == "/api/v2/pokemon":
            return self.page(POKEMON, "pokemon")
        if path == "/api/v2/berry":
            return self.page(BERRIES, "berry")
        if path.startswith("/api/v2/pokemon/"):
            name = path.rsplit("/", 1)[1]
            if name in POKEMON:
                return self.send_json(details(POKEMON.index(name) + 1, name))
        self.send_json({"detail": "Not found."}, 404)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
    print(f"http://127.0.0.1:{server.server_port}/api/v2/", flush=True)
    server.serve_forever()
