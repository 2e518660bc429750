"""The model registry, kept in Git as GTO keeps it: artifacts declared in pipeline files
(DVC 3's ``artifacts:`` section), versions and stages as annotated tags (``NAME@v1.2.0``,
``NAME#prod#3``), read exactly as GTO 1.10 reads them; bundles that carry a version with its
lineage; and plain data views for pages (``views``).

Modules: ``names`` and ``semver`` (tag and version formats), ``state`` (GTO's rules),
``load``, ``show``, ``actions`` (register, assign, unassign, deprecate), ``resolve``,
``declared`` (``artifacts add``/``list``), ``get``, ``lineage``, ``envrecord``,
``materialize``, ``bundle``, ``bundlecheck``, ``bundlediff``, ``views``.
"""
