/// NVRTC compile + cache + launch of fused elementwise programs (see program_runner.hpp).
///
/// Kernels load through the runtime's cudaLibraryLoadData / cudaLibraryGetKernel (CUDA 12+),
/// so nothing links libcuda directly. Loaded libraries live for the whole process (never
/// unloaded: unloading from static destructors races the CUDA runtime's own teardown).
#include "arrays/cuda/program_runner.hpp"

#include <nvrtc.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "arrays/cuda/program_codegen.hpp"
#include "arrays/errors.hpp"

namespace shoal::cuda {

namespace {

struct compiled {
  cudaLibrary_t lib = nullptr;
  cudaKernel_t kernel = nullptr;
};

struct kernel_cache {
  std::mutex mu;
  std::unordered_map<std::string, compiled> map;
  std::unordered_map<int, int> sm_count;  // device -> multiprocessors
};

kernel_cache& cache() {
  static auto* c = new kernel_cache;  // leaked on purpose (see the file comment)
  return *c;
}

/// Compiles `src` for `device` to a cubin and loads it.
compiled compile(const std::string& src, const std::string& name, int device) {
  int major = 0, minor = 0;
  check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device),
        "cudaDeviceGetAttribute");
  check(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device),
        "cudaDeviceGetAttribute");
  const std::string arch = "--gpu-architecture=sm_" + std::to_string(major * 10 + minor);
  const char* opts[] = {arch.c_str(), "-std=c++17", "-default-device",
                        "--fmad=false",  // no a*b+c contraction: bit-identical to the CPU
                        "--extra-device-vectorization"};

  nvrtcProgram prog = nullptr;
  check_nvrtc(nvrtcCreateProgram(&prog, src.c_str(), (name + ".cu").c_str(), 0, nullptr, nullptr),
              "nvrtcCreateProgram");
  std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram*)> guard(&prog, [](nvrtcProgram* p) {
    (void)nvrtcDestroyProgram(p);
  });
  const nvrtcResult r = nvrtcCompileProgram(prog, int(std::size(opts)), opts);
  if (r != NVRTC_SUCCESS) {
    std::size_t log_size = 0;
    std::string log;
    if (nvrtcGetProgramLogSize(prog, &log_size) == NVRTC_SUCCESS && log_size > 1) {
      log.resize(log_size);
      (void)nvrtcGetProgramLog(prog, log.data());
    }
    check_nvrtc(int(r), ("nvrtcCompileProgram " + name + " (" + arch + ")").c_str(),
                std::string(nvrtcGetErrorString(r)) + "\n" + log);
  }
  std::size_t cubin_size = 0;
  check_nvrtc(nvrtcGetCUBINSize(prog, &cubin_size), "nvrtcGetCUBINSize");
  std::string cubin(cubin_size, '\0');
  check_nvrtc(nvrtcGetCUBIN(prog, cubin.data()), "nvrtcGetCUBIN");

  compiled c;
  check(cudaLibraryLoadData(&c.lib, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
        "cudaLibraryLoadData");
  const cudaError_t e = cudaLibraryGetKernel(&c.kernel, c.lib, name.c_str());
  if (e != cudaSuccess) {
    (void)cudaLibraryUnload(c.lib);
    check(e, "cudaLibraryGetKernel");
  }
  return c;
}

/// The cached kernel for (device, layout, program), compiling it on first use. Compiles
/// outside the lock; a concurrent duplicate compile is dropped.
compiled get_kernel(int device, const program& p, const codegen_layout& layout) {
  const std::string key = std::to_string(device) + "|" + layout.key() + "|" + p.key();
  auto& c = cache();
  {
    std::lock_guard lock(c.mu);
    if (auto it = c.map.find(key); it != c.map.end()) return it->second;
  }
  std::string name;
  const std::string src = cuda_source(p, layout, name);
  compiled k = compile(src, name, device);
  std::lock_guard lock(c.mu);
  auto [it, inserted] = c.map.emplace(key, k);
  if (!inserted) (void)cudaLibraryUnload(k.lib);
  return it->second;
}

int multiprocessors(int device) {
  auto& c = cache();
  {
    std::lock_guard lock(c.mu);
    if (auto it = c.sm_count.find(device); it != c.sm_count.end()) return it->second;
  }
  int n = 0;
  check(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device),
        "cudaDeviceGetAttribute");
  std::lock_guard lock(c.mu);
  c.sm_count[device] = n;
  return n;
}

/// How the generated kernel reads each input, from the CPU interpreter's classification.
input_layout layout_of(coalesced::kind k) {
  switch (k) {
    case coalesced::scalar: return input_layout::scalar;
    case coalesced::contiguous: return input_layout::contiguous;
    case coalesced::strided: break;
  }
  return input_layout::strided;
}

bool aligned(const void* p, std::size_t a) {
  return reinterpret_cast<std::uintptr_t>(p) % a == 0;
}

constexpr const char* pow_error = "Integers to negative integer powers are not allowed.";

}  // namespace

program_errors::program_errors(cudaStream_t s) : s_(s), flag_(sizeof(int), s) {
  cuda::check(cudaMallocHost(reinterpret_cast<void**>(&host_), sizeof(int)), "cudaMallocHost",
              sizeof(int));
  *host_ = 0;
  cuda::check(cudaMemsetAsync(flag_.data(), 0, sizeof(int), s_), "cudaMemsetAsync");
}

program_errors::~program_errors() {
  if (host_) {
    (void)cudaStreamSynchronize(s_);  // a pending copy may still target host_
    (void)cudaFreeHost(host_);
  }
}

void program_errors::check() {
  cuda::check(cudaMemcpyAsync(host_, flag_.data(), sizeof(int), cudaMemcpyDeviceToHost, s_),
              "cudaMemcpyAsync");
  cuda::check(cudaStreamSynchronize(s_), "cudaStreamSynchronize");
  if (*host_ != 0) {
    *host_ = 0;
    cuda::check(cudaMemsetAsync(flag_.data(), 0, sizeof(int), s_), "cudaMemsetAsync");
    throw_error(errc::value_error, pow_error);
  }
}

std::size_t program_cache_size() {
  auto& c = cache();
  std::lock_guard lock(c.mu);
  return c.map.size();
}

void run_program_cuda(const program& p, const shape_t& shape,
                      const std::vector<operand_view>& inputs, const std::vector<void*>& outputs,
                      cudaStream_t s, program_errors* errors) {
  // The CPU interpreter's own checks (operand counts, strides, unsupported op/dtype pairs):
  // an empty range validates and returns before touching any data.
  run_program_range(p, shape, inputs, outputs, 0, 0);
  std::int64_t n = numel(shape);
  if (n == 0) return;

  const coalesced g = coalesce(shape, inputs);
  codegen_layout layout;
  for (auto k : g.kinds) layout.inputs.push_back(layout_of(k));
  int n_strided = 0;
  for (auto k : g.kinds) n_strided += k == coalesced::strided;
  if (n_strided > 0) {
    if (g.ext.size() > std::size_t(max_strided_rank))
      throw_error(errc::value_error, "run_program_cuda: more than " +
                                         std::to_string(max_strided_rank) +
                                         " non-mergeable dimensions");
    layout.rank = int(g.ext.size());
  }
  if (n_strided == 0 && n >= 4) {
    std::vector<bool> loaded(inputs.size(), false);
    for (const auto& in : p.code)
      if (in.op == opcode::load) loaded[in.a] = true;
    bool ok = true;
    for (std::size_t k = 0; ok && k < inputs.size(); ++k)
      if (loaded[k] && g.kinds[k] == coalesced::contiguous)
        ok = aligned(inputs[k].data, 4 * itemsize(p.inputs[k]));
    for (std::size_t k = 0; ok && k < outputs.size(); ++k)
      ok = aligned(outputs[k], 4 * itemsize(p.outputs[k]));
    layout.vector4 = ok;
  }

  const int device = current_device();
  const compiled k = get_kernel(device, p, layout);

  // Kernel arguments, in the generated signature's order.
  std::vector<const void*> in_ptrs(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) in_ptrs[i] = inputs[i].data;
  std::vector<void*> out_ptrs(outputs);
  std::vector<std::int64_t> geom;
  if (layout.rank > 0) {
    geom = g.ext;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (g.kinds[i] == coalesced::strided)
        geom.insert(geom.end(), g.strides[i].begin(), g.strides[i].end());
  }

  const bool can_fail = program_can_fail(p);
  device_buffer own_flag;
  int* err = nullptr;
  if (can_fail) {
    if (errors) {
      err = errors->device_flag();
    } else {
      own_flag = device_buffer(sizeof(int), s);
      check(cudaMemsetAsync(own_flag.data(), 0, sizeof(int), s), "cudaMemsetAsync");
      err = own_flag.as<int>();
    }
  }

  long long n_arg = n;
  std::vector<void*> args;
  args.reserve(2 + inputs.size() + outputs.size() + 1);
  args.push_back(&n_arg);
  args.push_back(&err);
  for (auto& ptr : in_ptrs) args.push_back(&ptr);
  for (auto& ptr : out_ptrs) args.push_back(&ptr);
  if (layout.rank > 0) args.push_back(geom.data());

  const std::int64_t work = layout.vector4 ? n / 4 : n;
  const std::int64_t want = (work + program_block_threads - 1) / program_block_threads;
  const std::int64_t most = std::int64_t(multiprocessors(device)) * (2048 / program_block_threads);
  const unsigned blocks = unsigned(std::max<std::int64_t>(1, std::min(want, most)));
  check(cudaLaunchKernel(reinterpret_cast<const void*>(k.kernel), dim3(blocks),
                         dim3(program_block_threads), args.data(), 0, s),
        "cudaLaunchKernel (fused elementwise program)");

  if (can_fail && !errors) {
    int host = 0;
    check(cudaMemcpyAsync(&host, err, sizeof(int), cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync");
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
    if (host != 0) throw_error(errc::value_error, pow_error);
  }
}

}  // namespace shoal::cuda
