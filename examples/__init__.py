"""Example bots that show the plugin API; `hello` runs in `rpa demo` until the real bots exist."""
