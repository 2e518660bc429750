"""The ops of a batch as coroutines of an async fsspec backend (s3fs, sshfs, HTTP), run on that
file system's own event loop; errors translated here, as the synchronous adapter does."""

from __future__ import annotations

import contextlib
import posixpath
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from trail.errors import RemoteNotFoundError, RemoteReadOnlyError
from trail.fs.batch import Get, OnBytes, Op, Put, Read, Stat
from trail.fs.registry import Backend
from trail.fs.translate import translated, unsatisfiable


class AsyncOps:
    """Performs ops through ``fs``'s ``_put_file``/``_get_file``/``_cat_file``/``_pipe_file``;
    ``where`` maps an op's path to the file system's."""

    def __init__(self, fs: Any, url: str, backend: Backend, where: Callable[[str], str]) -> None:
        self.fs, self.url, self.where = fs, url, where
        self.protocol = backend.protocols[0]
        self.atomic, self.readonly = backend.atomic_put, backend.readonly

    async def execute(self, op: Op, on_bytes: OnBytes) -> bytes | int | None:
        with translated(self.url):
            if isinstance(op, Read):
                return await self._read(op)
            path = self.where(op.path)
            if isinstance(op, Stat):  # a server may not say (HTTP without a length): None
                size = (await self.fs._info(path)).get("size")
                return None if size is None else int(size)
            if isinstance(op, Get):
                await self.fs._get_file(path, op.local, callback=_callback(on_bytes))
                return None
            if self.readonly:
                raise RemoteReadOnlyError(self.url)
            try:
                if isinstance(op, Put):
                    await self._put(op.local, path, on_bytes)
                else:
                    await self._write(path, op.data)
            except FileNotFoundError as exc:
                raise RemoteNotFoundError(self.url, str(exc)) from exc
            return None

    async def _read(self, op: Read) -> bytes:
        path = self.where(op.path)
        if self.protocol == "ssh":  # sshfs reads whole files only
            data = await self.fs._cat_file(path)
            return bytes(data[op.start : op.end])
        # A range, even from 0 to the end: s3fs asks for the size first (one more request)
        # when it is given none.
        try:
            return bytes(await self.fs._cat_file(path, start=op.start, end=op.end))
        except Exception as exc:
            if op.start == 0 and unsatisfiable(exc):
                return b""  # no byte 0: the object is empty
            raise

    async def _put(self, local: str, path: str, on_bytes: OnBytes) -> None:
        if self.atomic:  # one PUT (or a multipart upload): the name appears whole
            await self.fs._put_file(local, path, callback=_callback(on_bytes))
            return
        tmp = _tmp_beside(path)
        callback = _callback(on_bytes)
        await self._then_rename(lambda: self.fs._put_file(local, tmp, callback=callback), tmp, path)

    async def _write(self, path: str, data: bytes) -> None:
        if self.atomic:
            await self.fs._pipe_file(path, data)
            return
        tmp = _tmp_beside(path)
        await self._then_rename(lambda: self.fs._pipe_file(tmp, data), tmp, path)

    async def _then_rename(self, upload: Callable[[], Awaitable[Any]], tmp: str, path: str) -> None:
        """``upload()`` (to ``tmp``), then rename it to ``path``; no temp file stays behind."""
        try:
            if self.protocol != "ssh":  # sshfs makes the parent folder itself
                await self.fs._makedirs(posixpath.dirname(path), exist_ok=True)
            await upload()
            await self.fs._mv(tmp, path)
        except Exception:
            with contextlib.suppress(Exception):
                await self.fs._rm_file(tmp)
            # SFTP refuses to rename onto an existing name; the same content is already there.
            with contextlib.suppress(Exception):
                if await self.fs._exists(path):
                    return
            raise
        except BaseException:  # cancelled (Ctrl-C): still remove the temp file
            with contextlib.suppress(Exception):
                await self.fs._rm_file(tmp)
            raise


def _tmp_beside(path: str) -> str:
    return posixpath.join(posixpath.dirname(path), f".trail-tmp-{uuid.uuid4().hex}")


def _callback(on_bytes: OnBytes) -> Any:
    from fsspec.callbacks import DEFAULT_CALLBACK, Callback

    if on_bytes is None:
        return DEFAULT_CALLBACK
    report = on_bytes

    class _Bytes(Callback):  # type: ignore[misc]
        """fsspec's progress hooks (absolute or relative) as byte counts."""

        reported = 0

        def call(self, hook_name: str | None = None, **kwargs: Any) -> None:
            step = (self.value or 0) - self.reported
            if step > 0:
                self.reported += step
                report(step)

    return _Bytes()
