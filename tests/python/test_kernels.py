"""Custom C++ kernels from Python: tests/kernels/libshoal_test_kernels.so (built by CMake)
is loaded with shoal.load_library and its kernels are compared with NumPy on odd shapes cut
into many 16-element tiles (1 and 4 CPU actors), plus the errors a launch can raise."""
import itertools
from pathlib import Path

import numpy
import pytest

from _shoaltest import AGAINST_NUMPY, make, shoal, snp

pytestmark = pytest.mark.skipif(AGAINST_NUMPY, reason="custom kernels are shoal-only")

LIB = Path(__file__).resolve().parents[1] / "kernels" / "libshoal_test_kernels.so"
SHAPES = [(1,), (7,), (37,), (17, 13), (4, 1, 6), (2, 9, 11), (5, 0)]
IDS = ["x".join(map(str, s)) for s in SHAPES]


@pytest.fixture(scope="module", autouse=True)
def library():
    assert LIB.exists(), f"{LIB} is missing: build the shoal_test_kernels target"
    shoal.load_library(LIB)
    return LIB


@pytest.fixture(autouse=True)
def cpu_variants_only(request, runtime):
    """The test library has CPU variants only: on sessions that put tiles on a GPU actor a
    launch must be refused (checked by test_gpu_cluster_needs_cuda_variant), so the other
    tests do not apply there."""
    if getattr(runtime, "gpus", 0) and request.node.originalname != "test_gpu_cluster_needs_cuda_variant":
        pytest.skip("the test kernels have no CUDA variant")


def test_gpu_cluster_needs_cuda_variant(runtime):
    if not getattr(runtime, "gpus", 0):
        pytest.skip("a CPU session: CPU variants run")
    with pytest.raises(TypeError, match="has no CUDA variant"):
        shoal.launch("test.axpy", snp.zeros(5), snp.zeros(5), params=[1])


def box_sum_ref(x):
    """Sum over the 3^n box around each element, clipped at the border."""
    p = numpy.pad(x, 1)
    out = numpy.zeros_like(x)
    for shift in itertools.product(range(3), repeat=x.ndim):
        out = out + p[tuple(slice(s, s + n) for s, n in zip(shift, x.shape))]
    return out.astype(x.dtype)


def test_load_registers_once():
    assert "test.axpy" in shoal.kernels()
    assert shoal.load_library(LIB) == []  # loaded before: nothing new
    k = shoal.kernels()["test.box_sum"]
    assert k["cpu"] and not k["cuda"]
    assert k["inputs"] == [{"align": "halo", "halo": 1, "dtype": None}]


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_axpy_same_tiling(shape):
    x, y = make(shape, "float64"), make(shape, "float64", seed=1)
    got = shoal.launch("test.axpy", snp.asarray(x), snp.asarray(y), params=[2.5])
    assert isinstance(got, snp.ndarray)
    numpy.testing.assert_array_equal(numpy.asarray(got), 2.5 * x + y)


def test_axpy_of_views():
    x, y = make((13, 17), "float64"), make((17, 13), "float64", seed=2)
    got = shoal.launch("test.axpy", snp.asarray(x)[:, ::-1].T, snp.asarray(y), params=[-1.0])
    numpy.testing.assert_array_equal(numpy.asarray(got), -x[:, ::-1].T + y)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_box_sum_halo(shape, dtype):
    x = make(shape, dtype)
    got = numpy.asarray(shoal.launch("test.box_sum", snp.asarray(x)))
    assert got.dtype == numpy.dtype(dtype)
    ref = box_sum_ref(x)
    if dtype == "float32":
        numpy.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)
    else:
        numpy.testing.assert_array_equal(got, ref)


def test_broadcast_input_and_chaining():
    x, w = make((9, 11), "float64"), make((5,), "float64", seed=3)
    got = shoal.launch("test.plus_sum", snp.asarray(x), snp.asarray(w))
    numpy.testing.assert_allclose(numpy.asarray(got), x + w.sum(), rtol=1e-12)
    # the result is an ordinary array: it feeds NumPy-style ops and other kernels
    numpy.testing.assert_allclose(float((got * 2).sum()), float((x + w.sum()).sum() * 2), rtol=1e-10)
    numpy.testing.assert_allclose(numpy.asarray(shoal.launch("test.box_sum", got)), box_sum_ref(x + w.sum()),
                                  rtol=1e-12)


def test_errors():
    a = snp.zeros((4, 5))
    with pytest.raises(KeyError, match="no kernel named 'test.nope'"):
        shoal.launch("test.nope", a)
    with pytest.raises(TypeError, match="takes 2 input"):
        shoal.launch("test.axpy", a)
    with pytest.raises(TypeError, match="must be float64, got int32"):
        shoal.launch("test.axpy", a, snp.zeros((4, 5), dtype=snp.int32))
    with pytest.raises(ValueError, match="does not align"):
        shoal.launch("test.axpy", a, snp.zeros((5, 4)))
    with pytest.raises(ValueError, match="cannot load"):
        shoal.load_library(LIB.parent / "no_such_library.so")
    with pytest.raises(TypeError, match="bool is not supported"):
        numpy.asarray(shoal.launch("test.box_sum", snp.zeros(3, dtype=bool)))
    # the runtime keeps working
    numpy.testing.assert_array_equal(numpy.asarray(shoal.launch("test.axpy", a, a, params=[1])), numpy.zeros((4, 5)))
