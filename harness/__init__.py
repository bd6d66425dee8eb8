"""The workshop beside the product: benchmarks (`harness.bench`, run by `rpa bench`) and the
bot test kit (`harness.testing`), which drive the runner, the bots and the sandbox together.

Nothing in `runner`, `hr`, `systems`, `bots` or `sandbox` imports it; tests and benchmarks do.
"""
