"""The values a drill's variables may take, and how the checker samples them.

A drill declares one domain per variable (YAML ``domains``). The vocabulary is closed so a typo in
a deck is an error, not a silently wrong sample:

=========  ==========================================  =========================================
domain     meaning                                     sampled as
=========  ==========================================  =========================================
real       any real number (a logit, a target)         +-[0.05, 3], +-[3, 50], +-[50, 1e4], and 0
positive   a positive real (delta, gamma, alpha, w)    [0.1, 3], [1e-4, 1e4], [1e4, 1e8], and 1
prob       a probability strictly inside (0, 1)        [0.02, 0.98], sigmoid(+-[3, 14]), and 1/2
binary     a 0/1 label                                 a case each: 0, 1
sign       a -1/+1 label                               a case each: -1, +1
count      a positive whole number (N, K)              every whole number 1 .. 1000
=========  ==========================================  =========================================

Labels are *cases*: every combination of label values is tested with the same number of points,
so no answer can be wrong for one label value unseen. Half of each case is the friendly box
(the first range above, with a few points exactly at the special value); in the other half each
variable is independently friendly, wide (the second range) or far (the third). Far points are
compared wherever the answer can be computed there. A few far *probe* points per case
(magnitudes up to the largest float, counts beyond 1000) are never compared: they show where an
answer's own conditions switch to a branch never tested.

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


# Where a point lies: the friendly box, the wide range, the far range (compared where the answer
# can be computed), or a far probe (only to see where an answer's conditions switch).
FRIENDLY, WIDE, FAR, PROBE = 0, 1, 2, 3
COUNT_MAX = 1000  # every whole number up to this is a sample of a count
# Names whose conditions select a case (never a kink): labels and counts.
CASE_DOMAINS = frozenset({"binary", "sign", "count"})


def sample(domain: str, n: int, rng: np.random.Generator, region: int = FRIENDLY) -> np.ndarray:
    """``n`` values of a continuous or count ``domain`` in ``region``, in random order."""
    import numpy as np

    if domain in DISCRETE:
        low, high = DISCRETE[domain]
        return rng.permutation(np.where(np.arange(n) % 2 == 0, low, high))
    if domain == "count":
        if region == PROBE:
            far = np.round(10.0 ** rng.uniform(3.0, 300.0, n))
            far[: min(n, 2)] = (COUNT_MAX + 1, 1e300)[: min(n, 2)]
            return rng.permutation(far)
        # Every whole number 1..COUNT_MAX, then the edges again: "N == 17" cannot hide.
        base = np.arange(1, COUNT_MAX + 1, dtype=float)
        extra = np.resize(np.array([1.0, 2.0, 3.0]), max(0, n - COUNT_MAX))
        values = np.concatenate([base, extra])
        if n < values.size:
            edges = np.array([1.0, 2.0, 3.0, float(COUNT_MAX)])
            rest = rng.choice(base[3:-1], n - min(n, 4), replace=False)
            values = np.concatenate([edges[: min(n, 4)], rest])
        return rng.permutation(values)
    signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    if region == PROBE:
        # Magnitudes up to the largest float: a condition such as abs(z) < 1e200 changes
        # side somewhere among these.
        huge = 10.0 ** rng.uniform(1.7, 300.0, n)
        huge[: min(n, 2)] = (np.finfo(float).max, 1e-300)[: min(n, 2)]
        if domain == "real":
            return rng.permutation(huge * signs)
        if domain == "positive":
            tiny = 10.0 ** rng.uniform(-320.0, -3.0, n)
            return rng.permutation(np.where(signs > 0, huge, tiny))
        if domain == "prob":
            near = 10.0 ** rng.uniform(-300.0, -6.0, n)
            return rng.permutation(
                np.where(signs > 0, near, 1.0 - 10.0 ** rng.uniform(-15.5, -6, n))
            )
    if region == FAR:
        if domain == "real":
            return rng.permutation(np.exp(rng.uniform(np.log(50.0), np.log(1e4), n)) * signs)
        if domain == "positive":
            return np.exp(rng.uniform(np.log(1e4), np.log(1e8), n))
        region = WIDE  # a probability has no farther range worth comparing values in
    if domain == "real":
        low, high = (0.05, 3.0) if region == FRIENDLY else (3.0, 50.0)
        if region == FRIENDLY:
            magnitude = rng.uniform(low, high, n)
        else:  # log-uniform: as many points near 5 as near 40
            magnitude = np.exp(rng.uniform(np.log(low), np.log(high), n))
        return rng.permutation(magnitude * signs)
    if domain == "positive":
        if region == FRIENDLY:
            return rng.uniform(0.1, 3.0, n)
        return np.exp(rng.uniform(np.log(1e-4), np.log(1e4), n))
    if domain == "prob":
        if region == FRIENDLY:
            return rng.uniform(0.02, 0.98, n)
        logit = rng.uniform(3.0, 14.0, n) * signs
        return rng.permutation(1.0 / (1.0 + np.exp(-logit)))
    raise ValueError(f"unknown domain '{domain}'; known: {', '.join(DOMAINS)}")
