"""Experiment names: checked as one Git ref component, or drawn as a random ``adjective-noun``
that no experiment of the same baseline uses yet."""

from __future__ import annotations

import random
from collections.abc import Collection

from trail.experiments.errors import InvalidNameError

ADJECTIVES = (
    "able", "amber", "ample", "azure", "baked", "balmy", "bold", "brave", "brisk", "broad",
    "busy", "calm", "candid", "chief", "civil", "clear", "close", "cool", "crisp", "curly",
    "dandy", "dapper", "deep", "eager", "early", "easy", "epic", "even", "exact", "fair",
    "fancy", "fast", "fine", "firm", "fleet", "fluid", "fond", "frank", "fresh", "funny",
    "gentle", "glad", "golden", "grand", "green", "happy", "hardy", "hazel", "honest", "humble",
    "ideal", "jolly", "keen", "kind", "large", "lean", "light", "lively", "loyal", "lucid",
    "lucky", "lunar", "major", "mellow", "merry", "mild", "modest", "neat", "nimble", "noble",
    "novel", "olive", "open", "plain", "polar", "prime", "proud", "quick", "quiet", "rapid",
    "rare", "ready", "regal", "rich", "rosy", "royal", "rustic", "sharp", "shiny", "silent",
    "sleek", "smart", "snowy", "solar", "solid", "sonic", "spry", "stable", "steady", "still",
    "stout", "sunny", "swift", "tidy", "tough", "true", "vast", "vivid", "warm", "wise",
    "witty", "young", "zany", "zesty",
)  # fmt: skip
NOUNS = (
    "acorn", "alder", "anvil", "apple", "arrow", "aspen", "atlas", "badge", "basin", "beach",
    "birch", "bison", "blaze", "brook", "cabin", "camel", "canoe", "cedar", "chalk", "cliff",
    "clove", "cobra", "comet", "coral", "crane", "creek", "crow", "daisy", "delta", "dune",
    "eagle", "ember", "falcon", "fern", "field", "finch", "fjord", "flint", "forge", "fox",
    "gecko", "geyser", "glade", "grove", "gull", "harbor", "hawk", "heron", "hill", "iris",
    "island", "ivy", "jade", "koala", "lagoon", "lake", "lark", "lemon", "lily", "lotus",
    "lynx", "maple", "marsh", "meadow", "mesa", "moose", "moss", "newt", "oak", "oasis",
    "orbit", "orca", "otter", "owl", "panda", "pearl", "pebble", "pine", "plum", "pond",
    "prairie", "quail", "quartz", "raven", "reed", "reef", "ridge", "river", "robin", "sage",
    "shore", "slate", "sparrow", "spruce", "stone", "stork", "summit", "swan", "thistle",
    "tiger", "trail", "tulip", "valley", "violet", "walnut", "willow", "wren", "yak", "zebra",
)  # fmt: skip

_BAD_CHARS = frozenset(" ~^:?*[\\/")


def check_name(name: str) -> str:
    """``name`` if it can be one component of a Git ref name (``git check-ref-format``'s
    rules) and reads unambiguously on a command line; otherwise ``InvalidNameError``."""
    why = _problem(name)
    if why:
        raise InvalidNameError(name, why)
    return name


def _problem(name: str) -> str | None:
    if not name:
        return "it is empty"
    if any(ord(c) < 32 or ord(c) == 127 or c in _BAD_CHARS for c in name):
        return "it may not hold spaces, control characters or any of ~ ^ : ? * [ \\ /"
    if name.startswith((".", "-")):
        return "it may not start with '.' or '-'"
    if name.endswith((".", ".lock")):
        return "it may not end with '.' or '.lock'"
    if ".." in name or "@{" in name or name == "@":
        return "it may not hold '..' or '@{', nor be '@'"
    return None


def random_name(taken: Collection[str], rng: random.Random | None = None) -> str:
    """A random ``adjective-noun`` not in ``taken`` (a suffix is added once all are used)."""
    # Its own generator: a pipeline that seeds the global one must not get the same names.
    rng = rng or random.Random()
    for _ in range(100):
        name = f"{rng.choice(ADJECTIVES)}-{rng.choice(NOUNS)}"
        if name not in taken:
            return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"
