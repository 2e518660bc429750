"""Where work runs: ``local`` is the queue's worker (a detached process, N runs at a time)."""
