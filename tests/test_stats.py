"""Tests for helpers.stats: Garwood intervals against published values."""

import math

import numpy as np
import pytest

from helpers import stats


class TestPoissonInterval:
    def test_zero_events_give_the_known_upper_limit(self):
        # P(X = 0 | lam) = exp(-lam) = 0.025  =>  lam = -ln(0.025) = 3.6889
        low, high = stats.poisson_interval(0)
        assert low == 0 and math.isclose(high, -math.log(0.025), rel_tol=1e-9)

    def test_one_event_lower_limit_solves_exp(self):
        # P(X >= 1 | lam) = 1 - exp(-lam) = 0.025  =>  lam = -ln(0.975)
        assert math.isclose(stats.poisson_interval(1)[0], -math.log(0.975), rel_tol=1e-9)

    def test_published_garwood_limits(self):
        # Garwood (1936) / standard tables of exact 95% Poisson limits.
        for k, (lo, hi) in {5: (1.6235, 11.6683), 10: (4.7954, 18.3904)}.items():
            got = stats.poisson_interval(k)
            assert math.isclose(got[0], lo, abs_tol=1e-3) and math.isclose(got[1], hi, abs_tol=1e-3)

    def test_upper_limit_leaves_alpha_half_in_the_lower_tail(self):
        k = 37
        lam = stats.poisson_interval(k, 0.9)[1]
        cdf = sum(math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1)) for i in range(k + 1))
        assert math.isclose(cdf, 0.05, rel_tol=1e-6)

    def test_negative_count_is_rejected(self):
        with pytest.raises(ValueError, match="whole number"):
            stats.poisson_interval(-1)


class TestArrays:
    def test_an_array_of_counts_gives_the_limits_of_each(self):
        low, high = stats.poisson_interval(np.array([0, 5, 10]))
        assert low[0] == 0 and math.isclose(high[2], 18.3904, abs_tol=1e-3)
