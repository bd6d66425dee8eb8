"""A simulated municipality: the target systems' web apps and their synthetic data.

Nothing here runs at import time; see :func:`sandbox.app.create_app`,
:func:`sandbox.server.serve_in_thread` and the ``sandbox`` CLI group.
"""
