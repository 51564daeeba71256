"""Keyed random streams: reproducible, independent across keys/ids/draws, uniform."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.sampling import stream_key, uniforms, unit_exponentials


def test_same_key_same_numbers_and_order_independence():
    key = stream_key(7, 0, "patience", "gold", 3)
    ids = np.arange(1000)
    a = uniforms(key, ids)
    b = uniforms(key, ids[::-1])[::-1]  # asking in another order changes nothing
    assert np.array_equal(a, b)
    assert np.array_equal(a[500:], uniforms(key, ids[500:]))


def test_keys_are_stable_values():
    # golden values: a change here silently changes every seeded result in the project
    assert stream_key(1) == 0x910A2DEC89025CC1
    assert stream_key(20261123, 0, "arrivals", "gold", 0) == 0xF0A37AFA2CD3EAF2
    assert uniforms(stream_key(1, "x"), np.array([0, 1]))[0] == pytest.approx(
        0.5931880076349176, abs=0, rel=1e-15)


@pytest.mark.parametrize("parts", [(0, "a"), (1, "a"), (0, "b"), (0, "a", 1)])
def test_streams_are_uniform(parts):
    u = uniforms(stream_key(99, *parts), np.arange(20000))
    assert stats.kstest(u, "uniform").pvalue > 0.001
    assert u.min() > 0 and u.max() < 1


def test_streams_are_uncorrelated_across_keys_ids_and_draws():
    n = 20000
    ids = np.arange(n)
    base = uniforms(stream_key(5, 0, "handle_time"), ids)
    others = [uniforms(stream_key(5, 1, "handle_time"), ids),  # next replication
              uniforms(stream_key(5, 0, "patience"), ids),  # another purpose
              uniforms(stream_key(5, 0, "handle_time"), ids, k=1),  # next draw of same call
              uniforms(stream_key(5, 0, "handle_time"), ids + 1)]  # the neighbouring call
    bound = 4 / np.sqrt(n)  # ~4 standard errors of a correlation under independence
    for other in others:
        assert abs(np.corrcoef(base, other)[0, 1]) < bound
        assert not np.array_equal(base, other)


def test_unit_exponentials_match_uniform_stream():
    key = stream_key(3, "arrivals")
    e = unit_exponentials(key, 10, 50)
    assert np.allclose(e, -np.log(uniforms(key, np.arange(10, 60))), rtol=1e-14)
    big = unit_exponentials(key, 0, 200000)
    assert stats.kstest(big, "expon").pvalue > 0.001


def test_bad_key_part_is_rejected():
    with pytest.raises(TypeError):
        stream_key(1, 1.5)


def test_derived_draws_are_the_draws_of_derived_keys():
    from sim.sampling import derive_key, derived_draws, draw

    for key in (stream_key(3, 1, "campaign", "care", 0), 0, (1 << 64) - 1):
        got = derived_draws(key, 300, 11)
        assert got.tobytes() == np.array([draw(derive_key(key, j), 11)
                                          for j in range(300)]).tobytes()
