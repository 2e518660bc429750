"""Experiments: each is a Git commit whose parent is its baseline, named by a ref under
``refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`` (DVC's layout), with its environment and
stage logs in a metadata commit under ``refs/trail-exps/…`` beside it.

One job per module: ``refs`` (names ↔ refs), ``names`` (random names, validation), ``params``
(``-S`` edits), ``record`` (the commits), ``run``/``save``, ``show``, ``diff``, ``apply``,
``branch``, ``remove``, ``sync`` (push/pull), ``clean``, ``env`` (environment capture).
"""
