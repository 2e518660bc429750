"""Data you can trust: profiles, drift and contracts of tabular data (CSV, TSV, Parquet, JSON
Lines), each version profiled once and stored by its hash.

Layers: the modules here are pure statistics, the engine adapter, the profile store and contract
checking (L3); ``trail.quality.repo`` puts them to work on a repository at any revision (L4).
The columnar engine (DuckDB, chosen by measurement: see BENCHMARKS.md) is imported only by
``engine``, when a table is really read; importing this package costs nothing.
"""

from __future__ import annotations

CONTRACTS_FILE = "trail.contracts.yaml"  # at the repository root, in both dialects
# Stored profiles carry this; bump it when a figure changes meaning (they are then redone).
PROFILE_FORMAT = "trail-profile/1"
