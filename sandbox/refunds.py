"""NemRefusion's decisions: deterministic from the seed and the claim."""

from __future__ import annotations

import hashlib

APPROVED, REDUCED, REJECTED = "approved", "reduced", "rejected"


def _unit(text: str) -> float:
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def bucket(seed: int | None, absence_id: str) -> str:
    """How the authority treats claims on this absence: mostly approved as claimed."""
    u = _unit(f"{seed}|{absence_id}")
    if u < 0.8:
        return APPROVED
    return REDUCED if u < 0.9 else REJECTED


def decide(
    seed: int | None, absence_id: str, claim_from: str, claim_to: str, max_refund: float
) -> tuple[str, float]:
    """The decision on a claim and the amount paid."""
    outcome = bucket(seed, absence_id)
    if outcome == APPROVED:
        return outcome, round(max_refund, 2)
    if outcome == REJECTED:
        return outcome, 0.0
    factor = 0.6 + 0.3 * _unit(f"{seed}|{absence_id}|{claim_from}|{claim_to}")
    return outcome, round(max_refund * factor, 2)
