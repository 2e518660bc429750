"""Preloaded into the test cluster's worker processes (``dask worker --preload``): an audit
hook writing down every path the process opens, lists, enters or hands to a subprocess under
the prefixes in ``TRAIL_AUDIT_PREFIXES``, one per line, to ``TRAIL_AUDIT_LOG``.

The log is opened before the hook exists and written with ``os.write`` (which raises no audit
event), so recording never records itself.
"""

from __future__ import annotations

import os
import sys
import threading

_PREFIXES = tuple(p for p in os.environ.get("TRAIL_AUDIT_PREFIXES", "").split(os.pathsep) if p)
_EVENTS = {
    "open": (0,),
    "os.listdir": (0,),
    "os.scandir": (0,),
    "os.chdir": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (0, 1),
    "os.remove": (0,),
    "os.mkdir": (0,),
    "shutil.copyfile": (0, 1),
    "subprocess.Popen": (2,),  # its cwd
}
_lock = threading.Lock()


def _path(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or not value:
        return None
    return os.path.normpath(os.path.join(os.getcwd(), value))


def _install(fd: int) -> None:
    def hook(event: str, args: tuple[object, ...]) -> None:
        where = _EVENTS.get(event)
        if where is None:
            return
        for i in where:
            path = _path(args[i]) if i < len(args) else None
            if path is not None and path.startswith(_PREFIXES):
                with _lock:
                    os.write(fd, (path + "\n").encode())

    sys.addaudithook(hook)


_log = os.environ.get("TRAIL_AUDIT_LOG")
if _log and _PREFIXES:
    _install(os.open(_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644))
