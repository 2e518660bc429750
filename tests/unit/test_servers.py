"""The test servers: `make test` fails, rather than skips, when one cannot start."""

from __future__ import annotations

import pytest

from trail.testing import servers


def test_a_missing_server_fails_the_run_when_required(monkeypatch):
    monkeypatch.setenv("TRAIL_REQUIRE_SERVERS", "1")
    with pytest.raises(pytest.fail.Exception, match="no sshd here; `make test` needs it"):
        servers._missing("no sshd here")


def test_a_missing_server_skips_elsewhere_saying_why(monkeypatch):
    monkeypatch.delenv("TRAIL_REQUIRE_SERVERS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no sshd here"):
        servers._missing("no sshd here")
