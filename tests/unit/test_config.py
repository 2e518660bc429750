"""INI configuration as DVC writes it, edited in place."""

from __future__ import annotations

import pytest

from trail.config import Config, IniFile, split_name
from trail.errors import ConfigError


def test_set_writes_dvc_layout_and_keeps_comments(tmp_path):
    path = tmp_path / "config"
    path.write_text("# team settings\n[core]\n    remote = old\n")
    ini = IniFile.read(str(path))
    ini.set("core", "remote", "store")
    ini.set('remote "store"', "url", "s3://bucket/path")
    ini.write()
    assert path.read_text() == (
        "# team settings\n[core]\n    remote = store\n"
        "['remote \"store\"']\n    url = s3://bucket/path\n"
    )
    assert IniFile.read(str(path)).as_dict() == {
        "core": {"remote": "store"},
        'remote "store"': {"url": "s3://bucket/path"},
    }


def test_unset_drops_empty_section(tmp_path):
    path = tmp_path / "config"
    path.write_text("[core]\n    remote = x\n[cache]\n    type = copy\n")
    ini = IniFile.read(str(path))
    assert ini.unset("core", "remote")
    assert not ini.unset("core", "remote")
    ini.write()
    assert path.read_text() == "[cache]\n    type = copy\n"


def test_rename_and_remove_section(tmp_path):
    path = tmp_path / "config"
    path.write_text("['remote \"a\"']\n    url = /x\n[core]\n    remote = a\n")
    ini = IniFile.read(str(path))
    assert ini.rename_section('remote "a"', 'remote "b"')
    assert ini.as_dict()['remote "b"'] == {"url": "/x"}
    assert ini.remove_section('remote "b"')
    assert ini.as_dict() == {"core": {"remote": "a"}}


def test_split_name():
    assert split_name("core.remote") == ("core", "remote")
    assert split_name("remote.my.store.url") == ('remote "my.store"', "url")
    with pytest.raises(ConfigError):
        split_name("nodot")


def test_bad_lines_name_file_and_line(tmp_path):
    path = tmp_path / "config"
    path.write_text("[core]\n    what is this\n")
    with pytest.raises(ConfigError, match="config:2"):
        IniFile.read(str(path)).as_dict()


def test_levels_merge_local_over_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    control = tmp_path / ".trail"
    control.mkdir()
    (control / "config").write_text("[core]\n    remote = team\n    autostage = true\n")
    (control / "config.local").write_text("[core]\n    remote = mine\n")
    glob = tmp_path / "xdg" / "trail"
    glob.mkdir(parents=True)
    (glob / "config").write_text("[cache]\n    type = hardlink\n")
    cfg = Config(str(control))
    assert cfg.get("core", "remote") == "mine"
    assert cfg.get_bool("core", "autostage")
    assert cfg.get("cache", "type") == "hardlink"
    (control / "config").write_text("[core]\n    autostage = maybe\n")
    cfg.invalidate()
    with pytest.raises(ConfigError, match="true or false"):
        cfg.get_bool("core", "autostage")


def test_trail_only_options_live_beside_dvcs_files(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    trail_cfg, dvc_cfg = Config(str(tmp_path / ".trail")), Config(str(tmp_path / ".dvc"))
    # trail's own repository keeps everything in its own files
    assert trail_cfg.write_path("repo", "core", "lock_timeout") == str(tmp_path / ".trail/config")
    assert dvc_cfg.write_path("repo", "core", "remote") == str(tmp_path / ".dvc/config")
    assert dvc_cfg.write_path("repo", "core", "lock_timeout") == str(tmp_path / ".dvc/config.trail")
    assert dvc_cfg.write_path("local", "executor", "kind") == str(
        tmp_path / ".dvc/tmp/trail/config.local"
    )
    assert dvc_cfg.write_path("global", "core", "lock_timeout") == trail_cfg.level_path("global")
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text("[core]\n    remote = team\n")
    (tmp_path / ".dvc" / "config.trail").write_text("[core]\n    lock_timeout = 5\n")
    assert dvc_cfg.read_level("repo") == {"core": {"remote": "team", "lock_timeout": "5"}}
    assert dvc_cfg.get_float("core", "lock_timeout", 60.0) == 5.0
