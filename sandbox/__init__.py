"""A simulated municipality: the target systems' web apps and their synthetic data.

Nothing connects or starts at import time: see :func:`sandbox.app.create_app`,
:func:`sandbox.server.serve_in_thread`, :func:`sandbox.generator.generate`,
:mod:`sandbox.dataset` (load/export) and the ``sandbox`` CLI group in
:mod:`sandbox.cli`.
"""

from sandbox.server import serve_in_thread

__all__ = ["serve_in_thread"]
