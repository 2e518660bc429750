"""Shell completion scripts (bash, zsh) built from the parser: commands, their subcommands and
flags, and paths for everything else."""

from __future__ import annotations

import argparse


def _tree(root: argparse.ArgumentParser) -> dict[str, list[str]]:
    """``"cmd sub"`` → the words that may follow (subcommands and flags)."""
    tree: dict[str, list[str]] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        words: list[str] = []
        for action in parser._actions:
            words += [o for o in action.option_strings if o.startswith("--") or len(o) == 2]
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    words.append(name)
                    walk(child, f"{prefix} {name}".strip())
        tree[prefix] = sorted(set(words))

    walk(root, "")
    return tree


def script(shell: str, root: argparse.ArgumentParser) -> str:
    tree = _tree(root)
    cases = "\n".join(f'    "{k}") words="{" ".join(v)}" ;;' for k, v in sorted(tree.items()))
    body = f"""_trail_words() {{
  local key="$1" words=""
  case "$key" in
{cases}
  esac
  echo "$words"
}}
"""
    if shell == "zsh":
        return body + _ZSH
    return body + _BASH


_BASH = """_trail() {
  local cur key="" i w
  cur="${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [[ -n "$(_trail_words "${key:+$key }$w")" || -z "$key" ]]; then
      key="${key:+$key }$w"
    fi
  done
  local words
  words="$(_trail_words "$key")"
  COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
}
complete -o filenames -F _trail trail
"""

_ZSH = """_trail() {
  local key="" w
  for w in "${words[@]:1:$((CURRENT - 2))}"; do
    [[ "$w" == -* ]] && continue
    if [[ -n "$(_trail_words "${key:+$key }$w")" || -z "$key" ]]; then
      key="${key:+$key }$w"
    fi
  done
  compadd -- ${=$(_trail_words "$key")}
  _files
}
compdef _trail trail
"""
