"""Tests for helpers.stats: Garwood intervals against published values, the articles
bootstrap against scipy.stats.bootstrap."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

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


class TestBootstrapRates:
    def _scipy(self, k, w, n_resamples, seed=0):
        def pooled(a, b, axis=-1):
            return 1000 * a.sum(axis=axis) / b.sum(axis=axis)

        ci = scipy_stats.bootstrap(
            (k, w), pooled, paired=True, vectorized=True, n_resamples=n_resamples,
            method="percentile", rng=np.random.default_rng(seed),
        ).confidence_interval  # fmt: skip
        return ci.low, ci.high

    def test_each_rate_is_scipys_percentile_bootstrap_over_articles(self):
        # same generator and seed, and one batch: the same resamples as scipy draws
        rng = np.random.default_rng(5)
        k = rng.negative_binomial(1, 0.3, size=(40, 3))  # bursty counts, three frames
        w = rng.integers(100, 900, size=40)
        low, high = stats.bootstrap_rates(k, w, n_resamples=3000)
        for j in range(3):
            assert np.allclose((low[j], high[j]), self._scipy(k[:, j], w, 3000), rtol=1e-12)

    def test_in_batches_the_interval_stays_within_monte_carlo_error_of_scipys(self):
        rng = np.random.default_rng(6)
        k, w = rng.poisson(2, size=(5000, 1)), rng.integers(100, 900, size=5000)
        low, high = stats.bootstrap_rates(k, w, n_resamples=2000)  # 5 batches of 400
        ref = self._scipy(k[:, 0], w, 2000, seed=1)
        width = ref[1] - ref[0]
        assert abs(low[0] - ref[0]) < 0.15 * width and abs(high[0] - ref[1]) < 0.15 * width

    def test_articles_that_differ_give_a_wider_interval_than_poisson(self):
        # 20 articles of 1,000 words: all 40 hits in two of them
        k, w = np.zeros((20, 1)), np.full(20, 1000)
        k[:2, 0] = 20
        low, high = stats.bootstrap_rates(k, w)
        p_low, p_high = (v * 1000 / w.sum() for v in stats.poisson_interval(40))
        assert low[0] < p_low and high[0] > p_high
