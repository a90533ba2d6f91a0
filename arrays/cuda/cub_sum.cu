/// Long-row float sums through CUB.
#include "arrays/cuda/cub_sum.cuh"

#include <cub/device/device_reduce.cuh>

#include "arrays/cuda/device.hpp"

namespace shoal::cuda {
namespace {

struct widen {
  __device__ double operator()(float x) const { return double(x); }
  __device__ double operator()(double x) const { return x; }
};

struct plus {
  __device__ double operator()(double a, double b) const { return a + b; }
};

template <class T> void sum_impl(const T* in, std::int64_t n, T* dst, cudaStream_t s) {
  std::size_t bytes = 0;
  check(cub::DeviceReduce::TransformReduce(nullptr, bytes, in, dst, n, plus{}, widen{}, 0.0, s),
        "cub::DeviceReduce (size)");
  device_buffer tmp(bytes, s);
  check(cub::DeviceReduce::TransformReduce(tmp.data(), bytes, in, dst, n, plus{}, widen{}, 0.0, s),
        "cub::DeviceReduce");
}

}  // namespace

void cub_sum(const float* in, std::int64_t n, float* dst, cudaStream_t s) { sum_impl(in, n, dst, s); }
void cub_sum(const double* in, std::int64_t n, double* dst, cudaStream_t s) { sum_impl(in, n, dst, s); }

}  // namespace shoal::cuda
