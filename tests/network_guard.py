"""One guard for tests that must make no network call: every entry point raises and is recorded."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest


class NetworkCalled(BaseException):
    """Raised by the patched network entry points; a BaseException so no ``except Exception`` hides it."""


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch sockets, botocore's send and pymysql's connect to raise; returns the list of attempts."""
    import botocore.endpoint
    import pymysql.connections

    calls: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise NetworkCalled(name)

        return call

    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("socket.socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.socket.connect_ex"))
    monkeypatch.setattr(botocore.endpoint.Endpoint, "_send", refuse("botocore Endpoint._send"))
    monkeypatch.setattr(pymysql.connections.Connection, "connect", refuse("pymysql connect"))
    return calls
