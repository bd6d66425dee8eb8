"""Serving the console with uvicorn, and saying where once it listens."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

import uvicorn
from fastapi import FastAPI


class _Server(uvicorn.Server):
    """A uvicorn server that calls `on_ready(url)` once its socket listens, and whose SIGTERM is
    a clean stop (exit 0, as `rpa serve`'s), not re-raised after the shutdown as uvicorn does."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[str], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1]
            self._on_ready(console_url(self.config.host, port))

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop without waiting for open requests
        else:
            self.should_exit = True


def console_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: a free one); OSError when it cannot."""
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def serve(app: FastAPI, sock: socket.socket, *, host: str, on_ready: Callable[[str], None]) -> None:
    """Serve `app` on `sock` until SIGINT or SIGTERM."""
    _server(app, sock, host, on_ready).run(sockets=[sock])


def _server(app: FastAPI, sock: socket.socket, host: str, on_ready: Callable[[str], None]) -> _Server:
    """uvicorn over `sock`; its own log is kept to warnings and no access log: what the console
    does is logged by the console, masked."""
    config = uvicorn.Config(app, host=host, port=sock.getsockname()[1], log_config=None,
                            log_level="warning", access_log=False, server_header=False, proxy_headers=True)
    return _Server(config, on_ready)


def serve_in_thread(app: FastAPI, sock: socket.socket, *, host: str,
                    on_ready: Callable[[str], None]) -> Callable[[], None]:
    """Serve `app` on `sock` in a thread of its own (beside `rpa serve`'s scheduler and
    workers, which own the signals); returns the function that stops it."""
    server = _server(app, sock, host, on_ready)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="console", daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return stop
