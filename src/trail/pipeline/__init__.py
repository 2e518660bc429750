"""Pipelines: trail.yaml/dvc.yaml, stages, the DAG, lock file, run-cache and runner."""
