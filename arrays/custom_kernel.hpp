#pragma once
/// Custom kernels: C++ authors register named kernels that shoal runs over every output tile
/// of an array, planned and placed exactly like the built-in ops (launch them with
/// shoal::launch, actors/kernel.hpp; from Python with shoal.launch after shoal.load_library).
///
/// A kernel has a CPU variant (a callable over raw tile views) and optionally a CUDA variant
/// (the same callable signature plus the actor's CUDA stream; the views then point at device
/// memory). Each input declares how it aligns with the output tile:
///   - same:      the input has the output's shape; the kernel sees the same tile of it;
///   - halo(k):   the same tile grown by k cells on each side of every dim, clipped at the
///                array border (stencils); the view's origin says where the box starts;
///   - broadcast: the whole input, whatever its shape (a table, coefficients, a small array).
/// No CAF and no CUDA headers here: this header is all a kernel library needs.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "arrays/dtype.hpp"
#include "arrays/errors.hpp"
#include "arrays/shape.hpp"

struct CUstream_st;  // cudaStream_t is CUstream_st* (cuda_runtime.h); no CUDA header needed here

namespace shoal {

/// How one kernel input lines up with the output tile.
struct input_align {
  enum kind_t : std::uint8_t { same = 0, halo = 1, broadcast = 2 } kind = same;
  std::int64_t width = 0;  ///< halo: cells added on each side of every dim

  static input_align same_tiling() { return {same, 0}; }
  static input_align halo_of(std::int64_t k) { return {halo, k}; }
  static input_align whole() { return {broadcast, 0}; }
  bool operator==(const input_align& o) const { return kind == o.kind && width == o.width; }
};

/// One input of a kernel as declared at registration.
struct kernel_input {
  input_align align{};
  std::optional<dtype> type{};  ///< required dtype (TypeError at launch otherwise); empty = any
};

/// A raw view of the part of an array a kernel call sees. Element i (a multi-index over
/// `shape`) is at data + sum(i[d] * strides[d]) elements; global index = origin + i.
template <class P> struct basic_tile_view {
  P data = nullptr;
  dtype type = dtype::float64;
  shape_t shape;         ///< extent of the box the kernel sees
  shape_t strides;       ///< in elements (0 on broadcast dims)
  shape_t origin;        ///< global index of element (0, ..., 0)
  shape_t global_shape;  ///< the whole array's shape
  /// Elements in the box (inline: kernel libraries may be built from these headers alone).
  std::int64_t size() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  /// Typed pointer (no check: compare `type` first if the kernel accepts several dtypes).
  template <class T> auto as() const {
    if constexpr (std::is_const_v<std::remove_pointer_t<P>>) return static_cast<const T*>(data);
    else return static_cast<T*>(data);
  }
};
using tile_view = basic_tile_view<void*>;
using const_tile_view = basic_tile_view<const void*>;

/// Everything one call of a kernel gets: its inputs, its output tile (dense, C order) and the
/// numeric parameters given at launch.
struct kernel_args {
  std::vector<const_tile_view> ins;
  tile_view out;
  std::vector<double> params;
};

/// The CPU variant: runs on the owning CPU actor's thread over host memory.
using cpu_kernel_fn = std::function<void(const kernel_args&)>;
/// The CUDA variant: enqueue work on `stream` (do not synchronize); views point at device
/// memory of the GPU actor's device. Compiled by the kernel author's nvcc.
using cuda_kernel_fn = std::function<void(const kernel_args&, CUstream_st* stream)>;

/// A kernel as registered.
struct kernel_def {
  // {} initializers: designated initializers may leave any field out without a warning
  std::string name{};
  std::vector<kernel_input> inputs{};
  std::optional<dtype> out_type{};  ///< the output dtype when launch gives none; empty = first input's
  cpu_kernel_fn cpu{};
  cuda_kernel_fn cuda{};  ///< empty in CPU-only kernel libraries
};

/// Registers `def` process-wide. ValueError for an empty or duplicate name, a negative halo,
/// or a kernel with neither variant.
void register_kernel(kernel_def def);
/// The kernel named `name`, or nullptr.
std::shared_ptr<const kernel_def> find_kernel(const std::string& name);
/// The kernel named `name` (KeyError "no kernel named 'x' is registered" otherwise).
std::shared_ptr<const kernel_def> require_kernel(const std::string& name);
/// Names of every registered kernel, sorted.
std::vector<std::string> kernel_names();
/// Removes a kernel (tests); false if it was not registered.
bool unregister_kernel(const std::string& name);

/// Checks that `def` can run where launch would put its tiles: TypeError when the cluster
/// places tiles on GPU actors (`on_gpu`) and the kernel has no CUDA variant, or on CPU
/// actors (`on_cpu`) and it has no CPU variant.
void check_kernel_variants(const kernel_def& def, bool on_cpu, bool on_gpu);

/// The box of an input of shape `in_shape` that a kernel sees for output tile `tile`.
box aligned_box(const input_align& a, const box& tile, const shape_t& in_shape);

/// What a kernel library passes its kernels to (shoal::load_library calls the library's
/// SHOAL_KERNEL_LIBRARY function with one). Virtual so that a library built against these
/// headers alone registers into the loading process's registry.
class kernel_registrar {
 public:
  virtual void add(kernel_def def) = 0;

 protected:
  ~kernel_registrar() = default;
};

/// Loads a kernel library (dlopen, RTLD_GLOBAL) and registers its kernels by calling its
/// SHOAL_KERNEL_LIBRARY function; loading the same file again is a no-op. Returns the names
/// it registered. ValueError when the file cannot be loaded or has no such function.
std::vector<std::string> load_library(const std::string& path);

}  // namespace shoal

/// The entry point of a kernel library: `SHOAL_KERNEL_LIBRARY(reg) { reg.add(...); }`.
/// shoal.load_library(path) (Python) and shoal::load_library(path) (C++) dlopen the library
/// and call it once.
#define SHOAL_KERNEL_LIBRARY(reg)                                                     \
  extern "C" __attribute__((visibility("default"))) void shoal_register_kernels_v1( \
      ::shoal::kernel_registrar& reg)
