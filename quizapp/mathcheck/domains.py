"""The values a drill's variables may take, and how the checker samples them.

A drill declares one domain per variable (YAML ``domains``). The vocabulary is closed so a typo in
a deck is an error, not a silently wrong sample:

=========  ==========================================  ===================================
domain     meaning                                     sampled as
=========  ==========================================  ===================================
real       any real number (a logit, a target)         +-[0.05, 3], both signs, half each
positive   a positive real (delta, gamma, alpha, w)    [0.1, 3]
prob       a probability strictly inside (0, 1)        [0.02, 0.98]
binary     a 0/1 label                                 0 and 1, half each
sign       a -1/+1 label                               -1 and +1, half each
count      a positive whole number (N, K)              1 .. 50
=========  ==========================================  ===================================

Both signs of every real variable are always sampled, so ``x*abs(x)`` never passes for ``x^2``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported only when sampling
    import numpy as np

DOMAINS: dict[str, str] = {
    "real": "any real number, both signs",
    "positive": "a positive real number",
    "prob": "a probability strictly between 0 and 1",
    "binary": "a label that is 0 or 1",
    "sign": "a label that is -1 or +1",
    "count": "a positive whole number",
}

# Domains whose values are a finite set: the checker reports "right when y = 1, wrong when y = 0".
DISCRETE: dict[str, tuple[float, ...]] = {"binary": (0.0, 1.0), "sign": (-1.0, 1.0)}

# Domains a derivative can be taken with respect to.
CONTINUOUS = frozenset({"real", "positive", "prob"})


def sample(domain: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` values of ``domain`` in random order."""
    import numpy as np

    if domain == "real":
        magnitude = rng.uniform(0.05, 3.0, n)
        signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
        return rng.permutation(magnitude * signs)
    if domain == "positive":
        return rng.uniform(0.1, 3.0, n)
    if domain == "prob":
        return rng.uniform(0.02, 0.98, n)
    if domain in DISCRETE:
        low, high = DISCRETE[domain]
        return rng.permutation(np.where(np.arange(n) % 2 == 0, low, high))
    if domain == "count":
        return rng.integers(1, 51, n).astype(float)
    raise ValueError(f"unknown domain '{domain}'; known: {', '.join(DOMAINS)}")
