// Custom kernels on GPU actors (CUDA builds, run by make gpu-test): a kernel's CUDA variant
// runs on the actor's stream over device memory, including halo inputs assembled from
// pieces; a kernel without one is refused while tiles go to GPU actors; on a mixed cluster
// each actor runs its own variant and the result matches the CPU's.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "actors/gpu_backend.hpp"
#include "actors/kernel.hpp"
#include "actors/runtime.hpp"
#include "actors/test_options.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;

/// out = the centre of the input's box (same tiling or halo): one cudaMemcpy2DAsync per
/// tile on 2-d float64 arrays, no device code needed in this test.
void centre_cuda(const kernel_args& a, CUstream_st* stream) {
  const auto& in = a.ins[0];
  const i64 r0 = a.out.origin[0] - in.origin[0], c0 = a.out.origin[1] - in.origin[1];
  if (in.strides[1] != 1) throw error(errc::value_error, "centre_cuda: rows must be contiguous");
  const double* src = in.as<double>() + r0 * in.strides[0] + c0;
  cudaError_t e = cudaMemcpy2DAsync(a.out.data, static_cast<std::size_t>(a.out.shape[1]) * 8, src,
                                    static_cast<std::size_t>(in.strides[0]) * 8,
                                    static_cast<std::size_t>(a.out.shape[1]) * 8,
                                    static_cast<std::size_t>(a.out.shape[0]), cudaMemcpyDeviceToDevice, stream);
  if (e != cudaSuccess) throw error(errc::runtime_error, cudaGetErrorString(e));
}

void centre_cpu(const kernel_args& a) {
  const auto& in = a.ins[0];
  for (i64 i = 0; i < a.out.shape[0]; ++i)
    for (i64 j = 0; j < a.out.shape[1]; ++j)
      a.out.as<double>()[i * a.out.shape[1] + j] =
          in.as<double>()[(a.out.origin[0] + i - in.origin[0]) * in.strides[0] +
                          (a.out.origin[1] + j - in.origin[1]) * in.strides[1]];
}

class kernel_gpu_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (gpu_count() < 1) GTEST_SKIP() << "no CUDA GPU visible";
    register_kernel({"g.centre_halo", {{input_align::halo_of(2), dtype::float64}}, {}, centre_cpu, centre_cuda});
    register_kernel({"g.cpu_only", {{input_align::same_tiling(), {}}}, {}, centre_cpu, {}});
  }
  void TearDown() override {
    unregister_kernel("g.centre_halo");
    unregister_kernel("g.cpu_only");
    runtime::shutdown();
  }
  static void start(int gpus, int cpus, const char* placement) {
    runtime::init(test_runtime_options(cpus, gpus, 16, placement));
  }
};

std::vector<double> values(i64 n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (i64 i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(i) * 0.25 - 7;
  return v;
}

TEST_F(kernel_gpu_test, cuda_variant_with_halo_on_gpu_actor) {
  start(1, 1, "default");
  auto v = values(17 * 13);
  array x = from_vector(v, {17, 13});
  EXPECT_EQ(launch("g.centre_halo", {x}).to_vector<double>(), v);
  try {
    launch("g.cpu_only", {x});
    FAIL() << "a CPU-only kernel was accepted on a GPU cluster";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::type_error);
  }
}

TEST_F(kernel_gpu_test, mixed_cluster_runs_each_variant) {
  start(1, 2, "all");
  auto v = values(23 * 9);
  array x = from_vector(v, {23, 9});
  EXPECT_EQ(launch("g.centre_halo", {x}).to_vector<double>(), v);
}

}  // namespace
}  // namespace shoal
