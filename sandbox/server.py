"""Run the sandbox in a background thread (tests, the demo, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.settings import SandboxSettings


def serve_in_thread(
    db_path: str | Path,
    port: int = 0,
    settings: SandboxSettings | None = None,
    host: str = "127.0.0.1",
    startup_timeout_s: float = 10.0,
) -> tuple[str, Callable[[], None]]:
    """Start uvicorn on ``host:port`` (0 = a free port); return its base URL and a stop."""
    import uvicorn

    from sandbox.app import create_app

    app = create_app(db_path, settings)
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    # log_config=None: uvicorn's own dictConfig would give its loggers an unmasked stderr
    # handler and cut them off from ours (runner.logs), for the whole process.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"sandbox-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the sandbox did not start on {host}:{bound_port}")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.engine.dispose()

    return f"http://{host}:{bound_port}", stop
