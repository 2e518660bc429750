"""Config files read as configobj (DVC's reader) reads them, and written so it reads them back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trail.config import Config, IniFile, format_value
from trail.errors import ConfigError


def parse(text: str) -> dict[str, dict[str, str]]:
    return IniFile("config", text.splitlines()).as_dict()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[core]\nremote = s3 # the team's\n", {"core": {"remote": "s3"}}),
        ("[core]\nremote = s3#x\n", {"core": {"remote": "s3"}}),
        ("[core]  # c\nremote = 's3 # x'  # c\n", {"core": {"remote": "s3 # x"}}),
        ('[\'remote "a"\']\nurl = "s3://b/p#f"\n', {'remote "a"': {"url": "s3://b/p#f"}}),
        ("[cache]\ntype = reflink, copy\n", {"cache": {"type": "reflink,copy"}}),
        ("[cache]\ntype = reflink,\n", {"cache": {"type": "reflink"}}),
        ("[core]\nx = a, 'b, c' , d # e\n", {"core": {"x": "a,b, c,d"}}),
        ("[core]\nx = ,\n", {"core": {"x": ""}}),
        ("[core]\nx = # only a comment\n", {"core": {"x": ""}}),
        ('[core]\nx = ""\n', {"core": {"x": ""}}),
        ('[core]\nx = a "b" c\n', {"core": {"x": 'a "b" c'}}),
        ("[core]\n   x   =   a b  \n", {"core": {"x": "a b"}}),
        (
            '[core]\nx = """one\n  two\nthree""" # c\ny = 1\n',
            {"core": {"x": "one\n  two\nthree", "y": "1"}},
        ),
        ("[core]\nx = '''a \"q\" 'b''''\n", {"core": {"x": "a \"q\" 'b'"}}),
        ('[core]\n"my key" = 1\n', {"core": {"my key": "1"}}),
        ("\ufeff[core]\nx = 1\n", {"core": {"x": "1"}}),
    ],
)
def test_values_read_as_configobj_reads_them(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("[core]\nx = 1\n  continued\n", "config:3", "cannot parse line"),
        ("[core]\n; c\n", "config:2", "cannot parse line"),
        ("[core]\nx: 1\n", "config:2", "cannot parse line"),
        ("[core]\nx = 1\nx = 2\n", "config:3", "set twice"),
        ("[core]\nx = 1\n[core]\n", "config:3", "appears twice"),
        ('[core]\nx = """a\nb\n', "config:2", "never closed"),
        ("[core]\nx = '''a''' b\n", "config:2", "after the closing"),
        ('[core]\nx = "a" b\n', "config:2", "cannot parse the value"),
        ("[core]\nx = a,,b\n", "config:2", "cannot parse the value"),
        ("[core]\nx = , a\n", "config:2", "empty item"),
        ("[core]\n[[sub]]\n", "config:2", "nested sections"),
        ("x = 1\n", "config:1", "outside of a section"),
    ],
)
def test_what_configobj_refuses_is_an_error_naming_the_line(text, where, what):
    with pytest.raises(ConfigError, match=f"^{where}: .*{what}"):
        parse(text)


# Text a config line can hold: no line breaks but \n (which goes in triple quotes), and not
# both kinds of triple quote (which nothing can quote).
values = st.text(
    st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc"), whitelist_characters="\n\t")
).filter(lambda v: "'''" not in v or '"""' not in v)


@given(value=values)
def test_written_values_read_back_as_themselves(value):
    ini = IniFile("config", ["# mine", "[core]", "    other = 1  # kept"])
    ini.set("core", "x", value)
    ini.set("core", "other", "2")
    assert IniFile("config", "\n".join(ini.lines).splitlines()).as_dict() == {
        "core": {"other": "2", "x": value}
    }
    assert ini.lines[2] == "    other = 2  # kept"


def test_a_multi_line_value_is_replaced_and_unset_whole(tmp_path):
    ini = IniFile("config", ["[core]", 'x = """a', 'b"""', "y = 1"])
    ini.set("core", "x", "z")
    assert ini.lines == ["[core]", "    x = z", "y = 1"]
    ini = IniFile("config", ["[core]", 'x = """a', 'b"""', "[cache]", "type = copy"])
    assert ini.unset("core", "x")
    assert ini.lines == ["[cache]", "type = copy"]


def test_quoting_follows_configobj():
    assert format_value("reflink,copy") == '"reflink,copy"'
    assert format_value("s3://b/p#f") == '"s3://b/p#f"'
    assert format_value(" us") == '" us"'
    assert format_value("s3://b/it's") == "s3://b/it's"
    assert format_value("") == '""'
    assert format_value('say "hi" twice') == 'say "hi" twice'
    assert format_value('say "hi"') == "'say \"hi\"'"
    assert format_value('"hi", she said') == "'\"hi\", she said'"


def test_a_dvc_repository_reads_dvcs_user_and_system_files(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc"))
    for app, level in (("dvc", "home"), ("dvc", "etc"), ("trail", "home")):
        d = tmp_path / level / app
        d.mkdir(parents=True, exist_ok=True)
        (d / "config").write_text(f"[core]\n    {level} = {app}\n")
    dvc = Config(str(tmp_path / ".dvc"), "dvc")
    assert dvc.merged() == {"core": {"home": "dvc", "etc": "dvc"}}
    assert dvc.level_path("global") == str(tmp_path / "home" / "dvc" / "config")
    trail = Config(str(tmp_path / ".trail"))
    assert trail.merged() == {"core": {"home": "trail"}}
    monkeypatch.setenv("DVC_GLOBAL_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert Config(None, "dvc").level_path("global") == str(tmp_path / "elsewhere" / "config")
