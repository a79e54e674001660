"""One random stream per experiment (issue 7): ``sgnlib.streams``."""

import numpy as np
import pytest
import torch

from sgnlib import streams


def test_stream_depends_on_seed_study_and_settings_only():
    """The same (seed, study, settings) give the same numbers whatever was drawn before."""
    a = streams.rng(3, "escape", alpha=1.5, eps=0.1).normal(size=5)
    streams.rng(3, "escape", alpha=1.2, eps=0.1).normal(size=100)  # another setting drawn in between
    b = streams.rng(3, "escape", eps=0.1, alpha=1.5).normal(size=5)  # keyword order does not matter
    assert np.array_equal(a, b)


@pytest.mark.parametrize("other", [
    dict(seed=4, study="escape", alpha=1.5),
    dict(seed=3, study="escapes", alpha=1.5),
    dict(seed=3, study="escape", alpha=1.6),
    dict(seed=3, study="escape", alpha="1.5"),
])
def test_each_input_changes_the_stream(other):
    """Changing the seed, the study name or one setting gives another stream (and 1.5 is not '1.5')."""
    a = streams.rng(3, "escape", alpha=1.5).integers(0, 2**62, size=4)
    seed, study = other.pop("seed"), other.pop("study")
    b = streams.rng(seed, study, **other).integers(0, 2**62, size=4)
    assert not np.array_equal(a, b)


def test_numpy_scalars_and_tuples_canonicalise_like_python_values():
    """np.float64(1.5) and 1.5, (1, 2) and [1, 2] name the same setting."""
    assert streams.int_seed(0, "s", a=np.float64(1.5), b=(1, 2)) == streams.int_seed(0, "s", a=1.5, b=[1, 2])


def test_torch_generator_is_seeded_from_the_stream():
    """Two generators of one stream draw the same tensor; int_seed fits torch's 64-bit seed."""
    g1 = streams.torch_generator(0, "paths", n=10)
    g2 = streams.torch_generator(0, "paths", n=10)
    assert torch.equal(torch.rand(5, generator=g1), torch.rand(5, generator=g2))
    assert 0 <= streams.int_seed(0, "paths", n=10) < 2**63


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True, None])
def test_bad_seed_is_named(seed):
    """A seed that is not a non-negative int is a one-line ValueError naming it."""
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        streams.rng(seed, "x")


def test_bad_study_and_setting_are_named():
    """An empty study name, or a setting that cannot be canonicalised, is an error."""
    with pytest.raises(ValueError, match="study"):
        streams.rng(0, "")
    with pytest.raises(TypeError):
        streams.rng(0, "x", f=object())
