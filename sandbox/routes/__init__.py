"""One router per simulated system, each under its own path prefix and login."""
