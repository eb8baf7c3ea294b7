"""Times a Python dlt script: a generator of GitHub-event-like nested dicts loaded with
`dlt.pipeline(...).run(events(n))`, against the time Python alone needs to make those dicts.

The same file runs unchanged under this project's `dlt` package and under Python dlt 1.26; only
PYTHONPATH (and the peer's environment) differs. bench/run.sh runs it (BENCH_ONLY=python).

  python3 bench/py_events.py ROWS [--gen-only] [--destination duckdb|postgres]
                                  [--steps run|extract-normalize]

--gen-only       only consume the generator (the "Python alone" baseline)
--destination    postgres takes its credentials from DESTINATION__POSTGRES__CREDENTIALS
--steps          extract-normalize times pipeline.extract + pipeline.normalize only (Python dlt
                 has them; they need no destination library)

Prints `gen-only: S s` or `run: S s` (wall time, after imports), then `rows: TABLE=N ...`: what
the destination holds afterwards (or, for extract-normalize, what normalize counted).
Run it in an empty folder with HOME pointing at another: both packages keep their pipelines
under the home or workspace folder, and the DuckDB file lands in the current folder.
"""

import argparse
import sys
import time

import dlt

EVENT_TYPES = ("PushEvent", "CreateEvent", "IssuesEvent", "WatchEvent", "PullRequestEvent", "ForkEvent")
ACTIONS = ("opened", "closed", "created", "started", "synchronize", "reopened", "labeled")
WORDS = ("fix", "parser", "update", "docs", "refactor", "cache", "timeout", "retry", "schema", "tests",
         "bump", "deps", "handle", "empty", "input", "release", "notes", "typo", "build", "ci")


def make_events(n):
    """n deterministic events, ~600 bytes of JSON each, 1-3 commits (2 on average)."""
    for i in range(n):
        login = f"user{i % 9973}"
        commits = []
        for k in range(1 + i % 3):
            h = (i * 2654435761 + k * 40503) & 0xFFFFFFFFFFFFFFFF
            w = h % 17
            commits.append({
                "sha": f"{h:016x}{(h * 31) & 0xFFFFFFFFFFFFFFFF:016x}{k:08x}",
                "message": f"{WORDS[w]} {WORDS[w + 1]} in {WORDS[w + 2]} {WORDS[w + 3]} (#{i % 4099 + k})",
                "author": {"name": f"Author {(i + k) % 7919}", "email": f"author{(i + k) % 7919}@example.com"},
            })
        s = i % 86400
        yield {
            "id": str(30000000000 + i),
            "type": EVENT_TYPES[i % 6],
            "actor": {"id": 100000 + i % 9973, "login": login, "url": f"https://api.github.com/users/{login}"},
            "repo": {"id": 7000000 + i % 3001, "name": f"org{i % 101}/project-{i % 3001}"},
            "payload": {
                "action": ACTIONS[i % 7],
                "ref": f"refs/heads/feature-{i % 251}",
                "commits": commits,
            },
            "public": i % 10 != 0,
            "created_at": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z",
        }


@dlt.resource(name="events", write_disposition="append")
def events(n):
    yield from make_events(n)


def count_loaded(pipeline):
    """Rows per table in the destination, through the pipeline's own SQL client."""
    counts = {}
    with pipeline.sql_client() as client:
        for table in ("events", "events__payload__commits"):
            rows = client.execute_sql(f"SELECT count(*) FROM {pipeline.dataset_name}.{table}")
            counts[table] = rows[0][0]
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int)
    ap.add_argument("--gen-only", action="store_true")
    ap.add_argument("--destination", default="duckdb", choices=("duckdb", "postgres"))
    ap.add_argument("--steps", default="run", choices=("run", "extract-normalize"))
    args = ap.parse_args()

    if args.gen_only:
        t0 = time.perf_counter()
        n = 0
        for _ in make_events(args.rows):
            n += 1
        print(f"gen-only: {time.perf_counter() - t0:.2f} s ({n} dicts)")
        return 0

    t0 = time.perf_counter()
    pipeline = dlt.pipeline(pipeline_name="bench_events", destination=args.destination, dataset_name="bench")
    if args.steps == "run":
        pipeline.run(events(args.rows))
    else:
        pipeline.extract(events(args.rows))
        pipeline.normalize()
    print(f"{args.steps}: {time.perf_counter() - t0:.2f} s")
    sys.stdout.flush()

    if args.steps == "run":
        counts = count_loaded(pipeline)
    else:
        counts = dict(pipeline.last_trace.last_normalize_info.row_counts)
    print("rows: " + " ".join(f"{t}={c}" for t, c in sorted(counts.items()) if not t.startswith("_dlt")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
