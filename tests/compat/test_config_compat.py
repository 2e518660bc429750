"""Config files: trail reads what configobj (DVC's reader) reads, and shares DVC's user file."""

from __future__ import annotations

import json
import os
import random
import subprocess

import pytest

from trail.config import IniFile
from trail.errors import ConfigError

pytestmark = pytest.mark.compat

# configobj, run by the dvc venv's Python: each text becomes its dict (lists joined with ",",
# as trail keeps them) or "error".
_CONFIGOBJ = """
import json, sys
from configobj import ConfigObj
out = []
for text in json.load(sys.stdin):
    try:
        conf = ConfigObj(text.splitlines(), list_values=True)
        out.append({s: {k: ",".join(v) if isinstance(v, list) else v for k, v in opts.items()}
                    for s, opts in conf.dict().items()})
    except Exception:
        out.append("error")
json.dump(out, sys.stdout)
"""

PIECES = [
    "s3://b/p",
    "a b",
    "x",
    "1",
    "",
    " ",
    "#",
    "# c",
    ",",
    ", ",
    "'q'",
    '"q"',
    "'a, b'",
    "it's",
    'say "hi"',
    "'''",
    '"""',
    "a#b",
    "a #b",
    "\\",
    "=",
    "é",
]


def _random_config(rng: random.Random) -> str:
    lines = []
    for s in range(rng.randint(1, 3)):
        lines.append(rng.choice([f"[s{s}]", f"['remote \"r{s}\"']", f"[s{s}]  # c", f" [ s{s} ] "]))
        for k in range(rng.randint(0, 3)):
            value = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))
            lines.append(
                f"{rng.choice(['', '    '])}k{k}{rng.choice([' = ', '=', '  =  '])}{value}"
            )
            if rng.random() < 0.1:
                lines.append(rng.choice(["continued", "   more'''", '"""', "# note"]))
    return "\n".join(lines) + "\n"


def _trail(text: str) -> object:
    try:
        return IniFile("config", text.splitlines()).as_dict()
    except ConfigError:
        return "error"


def test_random_configs_read_as_configobj_reads_them(dvc):
    rng = random.Random(1313)
    texts = [_random_config(rng) for _ in range(400)]
    python = os.path.join(os.path.dirname(os.environ["TRAIL_TEST_DVC"]), "python")
    proc = subprocess.run(
        [python, "-c", _CONFIGOBJ], input=json.dumps(texts), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    theirs = json.loads(proc.stdout)
    differ = [(t, _trail(t), c) for t, c in zip(texts, theirs, strict=True) if _trail(t) != c]
    assert not differ, differ[:3]
    assert sum(c != "error" for c in theirs) > 100  # the corpus is not all errors


def test_trail_in_a_dvc_repository_shares_dvcs_user_config(dvc_repo, dvc, trail):
    assert trail("config", "--global", "cache.type", "hardlink,copy").code == 0
    assert dvc("config", "--global", "cache.type").out.strip() == "hardlink,copy"
    dvc("remote", "add", "--global", "shared", "s3://bucket/p#1")
    res = trail("remote", "list")
    assert res.code == 0 and "s3://bucket/p#1" in res.out
    assert trail("config", "cache.type").out.strip() == "hardlink,copy"
