// pipeline: a three-stage actor pipeline with backpressure, next to shoal's own actors.
//
//   generate (source) --4 credits--> square (stage, CPU) --4 credits--> stats (sink, own actor)
//
// The source makes 64 shards of 4096 floats; the stage squares them on its own thread; the
// sink is a typed actor written here by hand (it speaks pipeline::stage_actor: every shard
// is answered with an ack, which is the credit going back upstream). Each link lets at most
// 4 shards be unacknowledged, so however fast the source is, at most a dozen shards exist
// at once. Then the same stage runs over a sharded shoal array: a shard stream reads each
// tile from the actor that owns it (the shard itself, no copy, in this process) and an
// assemble sink builds the squared array. Both results are checked; exit 1 on a mismatch.
// In a CUDA build with a GPU the stage squares on the GPU instead (cuBLAS, no device code).
#include <cstdint>
#include <cstdio>
#include <vector>

#include "actors/pipeline.hpp"
#include "actors/gpu_backend.hpp"
#include "actors/runtime.hpp"
#ifdef SHOAL_WITH_CUDA
#include <cublas_v2.h>
#include <cuda_runtime.h>
#endif

namespace pl = shoal::pipeline;
using i64 = std::int64_t;

/// The sink's state: what it has seen so far.
struct stats_state {
  double sum = 0;
  i64 shards = 0;
  std::shared_ptr<double> result;
};

/// A hand-written sink: a typed actor answering every message of the stage protocol.
pl::stage_actor::behavior_type stats_sink(pl::stage_actor::stateful_pointer<stats_state> self,
                                          std::shared_ptr<double> result) {
  self->state.result = std::move(result);
  return {
      [=](pl::shard& s) -> pl::ack {
        for (i64 i = 0; i < s.size(); ++i) self->state.sum += s.as<float>()[i];
        ++self->state.shards;
        return {};  // done with this shard: one credit back to the stage
      },
      [=](pl::end_atom) -> pl::ack {
        *self->state.result = self->state.sum;  // read by main after wait()
        self->quit();
        return {};
      },
  };
}

std::optional<pl::shard> square(const pl::shard& s) {
  pl::shard out = pl::make_shard(s.seq, s.tile, s.global_shape, s.type);
  for (i64 i = 0; i < s.size(); ++i) pl::mutable_data<float>(out)[i] = s.as<float>()[i] * s.as<float>()[i];
  return out;
}

#ifdef SHOAL_WITH_CUDA
/// The GPU variant of square: x * diag(x) with x as a 1 x n matrix (cublasSdgmm).
std::optional<pl::shard> square_gpu(const pl::shard& s) {
  auto ok = [](bool good, const char* what) {
    if (!good) throw shoal::error(shoal::errc::runtime_error, std::string("square_gpu: ") + what + " failed");
  };
  static cublasHandle_t blas = [&] {
    cublasHandle_t h = nullptr;
    ok(cublasCreate(&h) == CUBLAS_STATUS_SUCCESS, "cublasCreate");
    return h;
  }();
  const auto n = static_cast<int>(s.size());
  const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(float);
  float *x = nullptr, *y = nullptr;
  ok(cudaMalloc(&x, bytes) == cudaSuccess && cudaMalloc(&y, bytes) == cudaSuccess, "cudaMalloc");
  ok(cudaMemcpy(x, s.as<float>(), bytes, cudaMemcpyHostToDevice) == cudaSuccess, "upload");
  ok(cublasSdgmm(blas, CUBLAS_SIDE_RIGHT, 1, n, x, 1, x, 1, y, 1) == CUBLAS_STATUS_SUCCESS, "cublasSdgmm");
  pl::shard out = pl::make_shard(s.seq, s.tile, s.global_shape, s.type);
  ok(cudaMemcpy(pl::mutable_data<float>(out), y, bytes, cudaMemcpyDeviceToHost) == cudaSuccess, "download");
  cudaFree(x);
  cudaFree(y);
  return out;
}
#endif

int main() {
  shoal::runtime_options opts;
  opts.cpus = 2;
  opts.gpus = 0;  // CPU actors only
  opts.min_tile_elems = 1024;  // small arrays are cut into several tiles
  shoal::runtime::init(opts);
  int failures = 0;

  // 1. generate -> square -> stats
  const i64 shards = 64, n = 4096;
  auto result = std::make_shared<double>(0);
  pl::stage_actor sink = pl::system().spawn(stats_sink, result);
  pl::transform_fn transform = square;
#ifdef SHOAL_WITH_CUDA
  if (shoal::gpu_count() > 0) transform = square_gpu;
#endif
  pl::stage_actor stage = pl::spawn_stage(transform, sink, /*credits=*/4);
  pl::run run = pl::run_generator(shards, [&](i64 k) {
    pl::shard s = pl::make_shard(static_cast<std::uint64_t>(k), shoal::box{{k * n}, {k * n + n}}, {shards * n},
                                 shoal::dtype::float32);
    for (i64 i = 0; i < n; ++i) pl::mutable_data<float>(s)[i] = static_cast<float>((k * n + i) % 7);
    return s;
  }, stage, /*credits=*/4);
  run.wait();
  double want = 0;
  for (i64 i = 0; i < shards * n; ++i) want += static_cast<double>((i % 7) * (i % 7));
  const bool ok1 = *result == want;
  failures += !ok1;
  std::printf("generate -> square -> stats: sum %.0f (want %.0f), at most %lld shards in flight from the "
              "source, paused %lld times  %s\n",
              *result, want, static_cast<long long>(run.stats().max_in_flight.load()),
              static_cast<long long>(run.stats().stalls.load()), ok1 ? "ok" : "MISMATCH");

  // 2. the shard stream of a sharded array -> square -> assemble
  shoal::array a = shoal::arange(std::int64_t{0}, std::int64_t{50 * 90}).astype(shoal::dtype::float32).reshape({50, 90}) * 0.5;
  auto [asink, assembled] = pl::spawn_assemble_sink({50, 90}, shoal::dtype::float32);
  pl::run stream = pl::run_array(a, pl::spawn_stage(square, asink), 2);
  stream.wait();
  std::vector<float> got = assembled->to_array().to_vector<float>();
  std::vector<float> ref = (a * a).to_vector<float>();
  const bool ok2 = got == ref;
  failures += !ok2;
  std::printf("shard stream of a 50x90 array (%lld tiles) -> square -> assemble: %s\n",
              static_cast<long long>(stream.stats().sent.load()), ok2 ? "ok" : "MISMATCH");

  shoal::runtime::shutdown();
  return failures ? 1 : 0;
}
