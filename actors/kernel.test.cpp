// Custom kernels end to end on real actors: registration and launch errors, and results of
// same-tiling, halo and broadcast inputs compared with plain loops, on odd shapes cut into
// many small tiles over three CPU actors.
#include "actors/kernel.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "actors/runtime.hpp"
#include "actors/test_options.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;

class kernel_test : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime::init(test_runtime_options(3));  // a 13x17 array is cut into tiles over 3 actors
    register_test_kernels();
  }
  void TearDown() override {
    for (auto n : {"t.axpy", "t.laplace", "t.addrow", "t.fill_index"}) unregister_kernel(n);
    runtime::shutdown();
  }

  static void register_test_kernels() {
    // out = p0 * x + y
    register_kernel({"t.axpy", {{input_align::same_tiling(), dtype::float64}, {input_align::same_tiling(), dtype::float64}},
                     {}, [](const kernel_args& a) {
                       const i64 rows = a.out.shape[0], cols = a.out.shape[1];
                       auto x = a.ins[0].as<double>(), y = a.ins[1].as<double>();
                       for (i64 i = 0; i < rows; ++i)
                         for (i64 j = 0; j < cols; ++j)
                           a.out.as<double>()[i * cols + j] =
                               a.params.at(0) * x[i * a.ins[0].strides[0] + j * a.ins[0].strides[1]] +
                               y[i * a.ins[1].strides[0] + j * a.ins[1].strides[1]];
                     }, {}});
    // out = sum of the 4 neighbours that exist (halo 1, clipped at the border)
    register_kernel({"t.laplace", {{input_align::halo_of(1), dtype::float64}}, {}, [](const kernel_args& a) {
                       const auto& in = a.ins[0];
                       for (i64 i = 0; i < a.out.shape[0]; ++i)
                         for (i64 j = 0; j < a.out.shape[1]; ++j) {
                           i64 gi = a.out.origin[0] + i, gj = a.out.origin[1] + j;
                           double s = 0;
                           const i64 di[] = {-1, 1, 0, 0}, dj[] = {0, 0, -1, 1};
                           for (int k = 0; k < 4; ++k) {
                             i64 ni = gi + di[k], nj = gj + dj[k];
                             if (ni < 0 || nj < 0 || ni >= in.global_shape[0] || nj >= in.global_shape[1]) continue;
                             s += in.as<double>()[(ni - in.origin[0]) * in.strides[0] + (nj - in.origin[1]) * in.strides[1]];
                           }
                           a.out.as<double>()[i * a.out.shape[1] + j] = s;
                         }
                     }, {}});
    // out[i, j] = x[i, j] + row[j] (row: the whole 1-d array)
    register_kernel({"t.addrow", {{input_align::same_tiling(), {}}, {input_align::whole(), {}}}, dtype::float64,
                     [](const kernel_args& a) {
                       const auto& x = a.ins[0];
                       const auto& row = a.ins[1];
                       for (i64 i = 0; i < a.out.shape[0]; ++i)
                         for (i64 j = 0; j < a.out.shape[1]; ++j)
                           a.out.as<double>()[i * a.out.shape[1] + j] =
                               x.as<double>()[i * x.strides[0] + j * x.strides[1]] +
                               row.as<double>()[(a.out.origin[1] + j) * row.strides[0]];
                     }, {}});
    // out = flat global index (no inputs: the shape comes from the launch)
    register_kernel({"t.fill_index", {}, dtype::int64, [](const kernel_args& a) {
                       for (i64 i = 0; i < a.out.shape[0]; ++i) a.out.as<i64>()[i] = a.out.origin[0] + i;
                     }, {}});
  }
};

std::vector<double> seq(i64 n, double scale) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (i64 i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = scale * static_cast<double>(i % 23) - 3.0;
  return v;
}

TEST_F(kernel_test, same_tiling_with_params_and_views) {
  const i64 r = 13, c = 17;
  auto xv = seq(r * c, 0.5), yv = seq(r * c, 2.0);
  array x = from_vector(xv, {r, c}), y = from_vector(yv, {r, c});
  array z = launch("t.axpy", {x, y}, {.params = {3.0}});
  auto got = z.to_vector<double>();
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_DOUBLE_EQ(got[i], 3.0 * xv[i] + yv[i]) << i;
  // A transposed view as input: arrives as pieces in the output's tiling.
  array xt = from_vector(xv, {c, r}).transpose();
  array zt = launch("t.axpy", {xt, y}, {.params = {1.0}});
  auto gt = zt.to_vector<double>();
  for (i64 i = 0; i < r; ++i)
    for (i64 j = 0; j < c; ++j)
      ASSERT_DOUBLE_EQ(gt[static_cast<std::size_t>(i * c + j)],
                       xv[static_cast<std::size_t>(j * r + i)] + yv[static_cast<std::size_t>(i * c + j)]);
}

TEST_F(kernel_test, halo_matches_plain_loop) {
  for (auto [r, c] : {std::pair<i64, i64>{13, 17}, {1, 9}, {9, 1}, {31, 5}}) {
    auto xv = seq(r * c, 1.5);
    array x = from_vector(xv, {r, c});
    auto got = launch("t.laplace", {x}).to_vector<double>();
    for (i64 i = 0; i < r; ++i)
      for (i64 j = 0; j < c; ++j) {
        double s = 0;
        if (i > 0) s += xv[static_cast<std::size_t>((i - 1) * c + j)];
        if (i + 1 < r) s += xv[static_cast<std::size_t>((i + 1) * c + j)];
        if (j > 0) s += xv[static_cast<std::size_t>(i * c + j - 1)];
        if (j + 1 < c) s += xv[static_cast<std::size_t>(i * c + j + 1)];
        ASSERT_DOUBLE_EQ(got[static_cast<std::size_t>(i * c + j)], s) << r << "x" << c << " at " << i << "," << j;
      }
  }
}

TEST_F(kernel_test, broadcast_input_and_no_inputs) {
  const i64 r = 7, c = 11;
  auto xv = seq(r * c, 1.0), rowv = seq(c, 10.0);
  array y = launch("t.addrow", {from_vector(xv, {r, c}), from_vector(rowv)});
  EXPECT_EQ(y.type(), dtype::float64);
  auto got = y.to_vector<double>();
  for (i64 i = 0; i < r; ++i)
    for (i64 j = 0; j < c; ++j)
      ASSERT_DOUBLE_EQ(got[static_cast<std::size_t>(i * c + j)],
                       xv[static_cast<std::size_t>(i * c + j)] + rowv[static_cast<std::size_t>(j)]);
  array idx = launch("t.fill_index", {}, {.shape = shape_t{45}});
  EXPECT_EQ(idx.type(), dtype::int64);
  auto iv = idx.to_vector<i64>();
  for (i64 i = 0; i < 45; ++i) ASSERT_EQ(iv[static_cast<std::size_t>(i)], i);
  // a kernel result feeds ordinary ops
  EXPECT_EQ(std::get<std::int64_t>(reduce(reduce_kind::sum, idx).item()), 45 * 44 / 2);
}

errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const error& e) {
    return e.code();
  }
  return errc::none;
}

TEST_F(kernel_test, registration_and_launch_errors) {
  auto noop = [](const kernel_args&) {};
  EXPECT_EQ(code_of([&] { register_kernel({"t.axpy", {}, {}, noop, {}}); }), errc::value_error);  // duplicate
  EXPECT_EQ(code_of([&] { register_kernel({"", {}, {}, noop, {}}); }), errc::value_error);
  EXPECT_EQ(code_of([&] { register_kernel({"t.none", {}, {}, {}, {}}); }), errc::value_error);  // no variant
  EXPECT_EQ(code_of([&] { register_kernel({"t.neg", {{input_align::halo_of(-1), {}}}, {}, noop, {}}); }),
            errc::value_error);
  EXPECT_EQ(find_kernel("t.none"), nullptr);

  array x = zeros({4, 5}), y = zeros({5, 4}), i = zeros({4, 5}, dtype::int32);
  EXPECT_EQ(code_of([&] { launch("t.unknown", {x}); }), errc::key_error);
  EXPECT_EQ(code_of([&] { launch("t.axpy", {x}); }), errc::type_error);            // input count
  EXPECT_EQ(code_of([&] { launch("t.axpy", {x, i}); }), errc::type_error);         // dtype
  EXPECT_EQ(code_of([&] { launch("t.axpy", {x, y}); }), errc::value_error);        // misaligned
  EXPECT_EQ(code_of([&] { launch("t.laplace", {x}, {.shape = shape_t{4, 4}}); }), errc::value_error);
  EXPECT_EQ(code_of([&] { launch("t.fill_index", {}); }), errc::value_error);      // no shape
  // A GPU-only cluster needs a CUDA variant; a CPU cluster a CPU variant.
  auto def = require_kernel("t.laplace");
  EXPECT_EQ(code_of([&] { check_kernel_variants(*def, false, true); }), errc::type_error);
  EXPECT_EQ(code_of([&] { check_kernel_variants(*def, true, false); }), errc::none);
  kernel_def cuda_only{"t.cuda_only", {}, {}, {}, [](const kernel_args&, CUstream_st*) {}};
  EXPECT_EQ(code_of([&] { check_kernel_variants(cuda_only, true, false); }), errc::type_error);
  EXPECT_EQ(code_of([&] { check_kernel_variants(cuda_only, false, true); }), errc::none);
  EXPECT_EQ(code_of([&] { load_library("/nonexistent/libnothing.so"); }), errc::value_error);
}

TEST_F(kernel_test, kernel_errors_reach_the_reader) {
  register_kernel({"t.throws", {{input_align::same_tiling(), {}}}, {}, [](const kernel_args&) {
                     throw error(errc::value_error, "t.throws: bad input");
                   }, {}});
  array y = launch("t.throws", {zeros({20})});
  EXPECT_EQ(code_of([&] { y.wait(); }), errc::value_error);
  unregister_kernel("t.throws");
  // the runtime keeps working
  EXPECT_EQ(launch("t.fill_index", {}, {.shape = shape_t{3}}).to_vector<i64>(), (std::vector<i64>{0, 1, 2}));
}

TEST(kernel_geometry, aligned_box_clips_halos) {
  box t{{4, 0}, {8, 5}};
  EXPECT_EQ(aligned_box(input_align::same_tiling(), t, {10, 5}), t);
  EXPECT_EQ(aligned_box(input_align::halo_of(2), t, {10, 5}), (box{{2, 0}, {10, 5}}));
  EXPECT_EQ(aligned_box(input_align::halo_of(3), t, {9, 5}), (box{{1, 0}, {9, 5}}));
  EXPECT_EQ(aligned_box(input_align::whole(), t, {3}), (box{{0}, {3}}));
}

}  // namespace
}  // namespace shoal
