"""``trail remote``: config written as DVC writes it, secrets kept local, clear errors."""

from __future__ import annotations


def test_add_default_list_as_dvc_writes_it(trail_repo, trail):
    assert trail("remote", "add", "-d", "store", "s3://bucket/path").code == 0
    config = (trail_repo / ".trail" / "config").read_text()
    assert "['remote \"store\"']\n    url = s3://bucket/path\n" in config
    assert "[core]\n    remote = store\n" in config
    res = trail("remote", "list")
    assert res.code == 0
    assert res.out.strip() == "store\ts3://bucket/path  (default)"
    assert trail("remote", "default").out.strip() == "store"


def test_duplicate_add_needs_force(trail_repo, trail):
    assert trail("remote", "add", "a", "/tmp/one").code == 0
    before = (trail_repo / ".trail" / "config").read_text()
    res = trail("remote", "add", "a", "/tmp/two")
    assert res.code == 3
    assert "remote 'a' already exists: use -f" in res.err
    assert (trail_repo / ".trail" / "config").read_text() == before
    assert trail("remote", "add", "-f", "a", "/tmp/two").code == 0
    assert "url = /tmp/two" in (trail_repo / ".trail" / "config").read_text()


def test_bad_name_and_unknown_remote(trail_repo, trail):
    res = trail("remote", "add", "bad name", "/tmp/x")
    assert res.code == 3 and "bad remote name 'bad name'" in res.err
    res = trail("remote", "modify", "nope", "url", "/x")
    assert res.code == 3 and "unknown remote 'nope'" in res.err
    res = trail("remote", "remove", "nope")
    assert res.code == 3 and "remote 'nope' does not exist" in res.err
    res = trail("remote", "default", "nope")
    assert res.code == 3 and "unknown remote 'nope'" in res.err


def test_secrets_go_to_config_local_and_are_never_printed(trail_repo, trail):
    assert trail("remote", "add", "s", "s3://b").code == 0
    res = trail("remote", "modify", "s", "secret_access_key", "TOPSECRET")
    assert res.code == 0
    assert "written to config.local" in res.err
    assert "TOPSECRET" not in (trail_repo / ".trail" / "config").read_text()
    assert "TOPSECRET" in (trail_repo / ".trail" / "config.local").read_text()
    for args in (("remote", "list"), ("config", "--list"), ("remote", "list", "--json")):
        assert "TOPSECRET" not in trail(*args).out
    assert trail("remote", "modify", "s", "endpointurl", "http://127.0.0.1:1").code == 0
    assert "endpointurl" in (trail_repo / ".trail" / "config").read_text()


def test_unknown_option_for_backend(trail_repo, trail):
    trail("remote", "add", "s", "s3://b")
    res = trail("remote", "modify", "s", "keyfile", "/k")
    assert res.code == 3
    assert "unknown option 'keyfile' for s3 remote 's'" in res.err
    trail("remote", "add", "h", "ssh://host/p")
    assert trail("remote", "modify", "h", "keyfile", "/k").code == 0


def test_rename_and_remove_follow_default_and_secrets(trail_repo, trail):
    trail("remote", "add", "-d", "old", "s3://b")
    trail("remote", "modify", "old", "secret_access_key", "k")
    assert trail("remote", "rename", "old", "new").code == 0
    assert trail("remote", "default").out.strip() == "new"
    assert 'remote "new"' in (trail_repo / ".trail" / "config.local").read_text()
    assert trail("remote", "remove", "new").code == 0
    assert trail("remote", "list").out == ""
    assert "new" not in (trail_repo / ".trail" / "config.local").read_text()
    res = trail("remote", "default")
    assert res.code == 3 and "no default remote" in res.err


def test_local_and_global_levels(trail_repo, trail, tmp_path_factory):
    assert trail("remote", "add", "--local", "mine", "/tmp/m").code == 0
    assert "mine" in (trail_repo / ".trail" / "config.local").read_text()
    assert trail("remote", "add", "--global", "everywhere", "/tmp/g").code == 0
    names = [line.split("\t")[0] for line in trail("remote", "list").out.splitlines()]
    assert names == ["everywhere", "mine"]
    assert trail("remote", "modify", "--local", "mine", "-u", "url").code == 0


def test_a_password_in_a_url_is_never_listed(trail_repo, trail):
    assert trail("remote", "add", "s", "ssh://me:hunter2@host:2222/data").code == 0
    for args in (("remote", "list"), ("remote", "list", "--json")):
        out = trail(*args).out
        assert "hunter2" not in out and "me:***@host:2222" in out
