"""A worker's leases as the worker itself knows them, so it never writes on a lease it lost.

The store's lease ends at `lease_expires`; the worker cannot see that clock while the
store is away, so it keeps its own: a lease is known to hold until `lease_s` after the
last claim or heartbeat that succeeded (measured from before the call, on the monotonic
clock). Past that, another worker may have taken the item, and the item's writes stop
unless the store confirms the lease is still this worker's.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Collection
from typing import TypeVar

from runner.errors import LeaseLost, StoreUnavailable
from runner.outage import StoreWatch
from runner.store import ItemStore

T = TypeVar("T")

_LOST = -math.inf
_WAIT_FOR_STORE_S = 0.2


class LeaseBook:
    """The items a worker holds and until when each lease is known to hold."""

    def __init__(self, store: ItemStore, worker_id: str, lease_s: float, watch: StoreWatch) -> None:
        self.store = store
        self.worker_id = worker_id
        self.lease_s = lease_s
        self.watch = watch
        self._lock = threading.Lock()
        self._known_until: dict[int, float] = {}

    def hold(self, item_ids: Collection[int], since: float) -> None:
        """Items just claimed by a call that started at `since` (time.monotonic())."""
        with self._lock:
            for item_id in item_ids:
                self._known_until[item_id] = since + self.lease_s

    def forget(self, item_id: int) -> None:
        with self._lock:
            self._known_until.pop(item_id, None)

    def held(self) -> set[int]:
        with self._lock:
            return set(self._known_until)

    def holds(self, item_id: int) -> bool:
        with self._lock:
            return time.monotonic() <= self._known_until.get(item_id, _LOST)

    def renew(self, item_ids: Collection[int] | None = None) -> set[int]:
        """Extend the leases (all held, or `item_ids`) in the store; returns those still ours.

        StoreUnavailable when the store is away; a lease the store no longer gives us is
        marked lost.
        """
        wanted = self.held() if item_ids is None else set(item_ids)
        if not wanted:
            return set()
        since = time.monotonic()
        owned = self.store.heartbeat(self.worker_id, wanted, lease_s=self.lease_s)
        with self._lock:
            for item_id in wanted & set(self._known_until):
                self._known_until[item_id] = since + self.lease_s if item_id in owned else _LOST
        return owned

    def lease(self, item_id: int) -> Lease:
        return Lease(self, item_id)


class Lease:
    """One item's lease: every store call for the item goes through `call`."""

    def __init__(self, book: LeaseBook, item_id: int) -> None:
        self.book = book
        self.item_id = item_id

    def holds(self) -> bool:
        return self.book.holds(self.item_id)

    def check(self) -> None:
        """Return only while the lease is known to hold; LeaseLost otherwise.

        Called before a step's side effect: while the store is away the step waits (a
        receipt could not be recorded), for as long as the lease holds.
        """
        watch = self.book.watch
        while watch.down and self.holds() and not watch.stopping.is_set():
            watch.stopping.wait(_WAIT_FOR_STORE_S)
        if self.holds():
            return
        try:  # past our own reckoning: only the store can say the lease is still ours
            if self.item_id in self.book.renew([self.item_id]):
                watch.answered()
                return
        except StoreUnavailable as down:
            watch.failed("lease_check", down)
            raise LeaseLost(f"item {self.item_id}: the lease ran out while the store was away") from down
        raise LeaseLost(f"item {self.item_id} is no longer leased by {self.book.worker_id}")

    def call(self, fn: Callable[[], T], *, what: str) -> T:
        """A store call for this item, retried while the store is away and the lease holds.

        LeaseLost when the lease is lost before or while waiting for the store.
        """
        self.check()
        try:
            return self.book.watch.call(fn, what=what, give_up=lambda: not self.holds())
        except StoreUnavailable as down:
            raise LeaseLost(f"item {self.item_id}: the lease ran out while the store was away") from down
