"""Shared fixtures of the torch tests (models, training, noise meter)."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors on a shared CPU: extra threads only spin (a 2-thread step can be 50x slower), so use one."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
