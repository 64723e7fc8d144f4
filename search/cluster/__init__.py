"""Liner on a Ray cluster: an index cut into shards by a stable hash of each file's path, built in
parallel as Ray tasks, served by replicated Ray actors, and ranked with the corpus-wide
statistics merged when the build ends, so that it ranks exactly as one index over the same files.

    layout.py    the folders of a sharded index on shared storage, the shard of a path
    stats.py     each shard's term statistics, merged into the global ones (a TermStats)
    scoring.py   BM25F with the global statistics, in every shard's scorer
    shards.py    one query on one shard: what a replica runs
    fanout.py    one query on every shard (one replica each), merged; retries and partial results
    build.py     the sharded build: shards as Ray tasks, then the merge
    serving.py   the replicas as Ray actors, and the open sharded index an Engine reads
    runtime.py   connecting to a cluster (and a local one for tests)

Only the `--cluster` paths import this package; it needs the `cluster` extra (Ray). layout.py,
stats.py, scoring.py, shards.py and fanout.py's merge do not import Ray, so the ranking can be
tested without a cluster.
"""
