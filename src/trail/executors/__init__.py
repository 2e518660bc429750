"""Where work runs: ``local`` is the queue's worker (a detached process, N runs at a time);
``dask`` sends stages to a Dask cluster (``base.Executor``), ``sandbox`` is what its workers run
and ``remote_stage`` the client's side of it."""
