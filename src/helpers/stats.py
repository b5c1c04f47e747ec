"""Intervals for counts and rates, from :mod:`scipy.stats`.

One place for the statistics behind the notebooks' uncertainty: the exact (Garwood) interval
for a Poisson count (a rate per 1,000 words is that interval times 1,000 / words).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def poisson_interval(k, confidence: float = 0.95) -> tuple[float, float] | tuple[np.ndarray, ...]:
    """Garwood's exact two-sided interval for the mean of a Poisson count ``k``.

    Lower limit $\\chi^2_{2k,\\,\\alpha/2}/2$ (0 when $k = 0$), upper limit
    $\\chi^2_{2k+2,\\,1-\\alpha/2}/2$, from :data:`scipy.stats.chi2`. Being exact, it is
    conservative: its coverage is at least the stated level. ``k`` may be a whole number or an
    array of them (then two arrays come back).

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(0)]
    [0.0, 3.689]
    >>> [round(v, 3) for v in poisson_interval(5)]
    [1.623, 11.668]
    """
    counts = np.asarray(k)
    if counts.size and (np.any(counts < 0) or np.any(np.floor(counts) != counts)):
        raise ValueError(f"a count must be a whole number >= 0, got {k!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence!r}")
    alpha = 1 - confidence
    counts = counts.astype(float)
    with np.errstate(invalid="ignore"):
        low = np.where(counts > 0, stats.chi2.ppf(alpha / 2, 2 * counts) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    if np.ndim(k) == 0:
        return float(low), float(high)
    return low, high
