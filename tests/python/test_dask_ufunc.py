"""ferrojit objects on a Dask cluster of worker processes: a ufunc in ``dask.array.map_blocks``
and a jitted function through ``client.submit``, each by reference (importable here) and by
value (defined in a function). Workers are fresh processes that compile what they receive.

Skipped when ``dask[array]``/``distributed`` are not installed (requirements-dev.txt has them).
"""

import math

import numpy as np
import pytest

from ferrojit import jit, vectorize

da = pytest.importorskip("dask.array", reason="dask[array] is not installed")
distributed = pytest.importorskip("distributed", reason="dask's distributed is not installed")

OFFSET = 0.5


@vectorize(["f8(f8, f8)"], target="parallel")
def saxpy(x, y):
    return 3.0 * x + y + OFFSET


@jit
def norm(a):
    s = 0.0
    for v in a:
        s += v * v
    return math.sqrt(s)


def local_objects():
    @vectorize(["f8(f8)"])
    def local_ufunc(x):
        return math.exp(-x) * OFFSET

    @jit
    def local_dot(a, b):
        s = 0.0
        for i in range(a.shape[0]):
            s += a[i] * b[i]
        return s

    return local_ufunc, local_dot


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        processes=True,
        n_workers=2,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=40,
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_map_blocks_with_ufuncs(client):
    x = da.arange(100_000, chunks=25_000).astype(np.float64) / 1000
    y = da.ones(100_000, chunks=25_000)
    got = da.map_blocks(saxpy, x, y, dtype=np.float64).compute()
    np.testing.assert_array_equal(got, saxpy(x.compute(), y.compute()))

    local_ufunc, _ = local_objects()
    got = x.map_blocks(local_ufunc, dtype=np.float64).compute()
    np.testing.assert_allclose(got, np.exp(-x.compute()) * OFFSET, rtol=1e-15)


def test_submit_jitted_functions(client):
    a = np.arange(10.0)
    assert client.submit(norm, a).result() == pytest.approx(np.linalg.norm(a), rel=1e-15)
    _, local_dot = local_objects()
    futures = [client.submit(local_dot, a, a + k, pure=False) for k in range(4)]
    assert client.gather(futures) == [float(a @ (a + k)) for k in range(4)]
