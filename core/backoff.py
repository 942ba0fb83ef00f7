"""Exponential backoff with jitter, for every retry of a call to a system we do not own."""

import random


def backoff_seconds(attempt: int, *, base: float, cap: float, floor: float = 0.0, rng=random) -> float:
    """Return a wait after failed attempt `attempt` (1-based): random within a window that doubles
    from `base` up to `cap`. Full jitter by default; `floor` (0-1) keeps that share of the window as
    the shortest wait (0.5 is "equal jitter")."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return rng.uniform(ceiling * floor, ceiling)
