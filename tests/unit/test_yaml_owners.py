"""One way to read YAML and one way to write it: PyYAML is imported only by the reader
(``yamlcore``, behind ``yamlio``) and the writer's fast path, ruamel only by the writer
(``yamlwrite``), and there is one YAML error type."""

from __future__ import annotations

import ast
import pathlib

from trail import errors, yamlio

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "trail"


def _importers(top: str) -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            if any(n.split(".")[0] == top for n in names):
                found.add(str(path.relative_to(SRC)))
    return found


def test_only_the_reader_and_the_writer_import_pyyaml():
    assert _importers("yaml") <= {"yamlcore.py", "yamlwrite.py"}


def test_only_the_writer_imports_ruamel():
    assert _importers("ruamel") == {"yamlwrite.py"}


def test_one_yaml_error_type():
    defined = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ClassDef) and "yaml" in node.name.lower() and "Error" in node.name
    ]
    assert defined == ["errors.py"]
    assert yamlio.YamlError is errors.YamlError
