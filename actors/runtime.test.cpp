#include "actors/runtime.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "actors/array.hpp"
#include "arrays/errors.hpp"

namespace shoal {
namespace {

using i64 = std::int64_t;
using ix = index_item;

runtime_options opts3() {
  runtime_options o;
  o.cpus = 3;
  o.gpus = 0;  // CPU actors only, also in CUDA builds on GPU machines (gpu_actor.gpu.test.cpp)
  o.min_tile_elems = 8;
  o.threads_per_actor = 2;
  o.timeout_ms = 30000;  // a hang fails the test instead of waiting ten minutes
  return o;
}

class runtime_test : public ::testing::Test {
 protected:
  void SetUp() override { runtime::init(opts3()); }
  void TearDown() override { runtime::shutdown(); }
};

std::vector<i64> iota(i64 n, i64 start = 0) {
  std::vector<i64> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), start);
  return v;
}

TEST_F(runtime_test, info_and_init_rules) {
  ASSERT_TRUE(runtime::running());
  runtime& r = runtime::init(opts3());  // same options: the running runtime
  EXPECT_EQ(&r, &runtime::get());
  EXPECT_EQ(r.options().cpus, 3);
  EXPECT_EQ(r.options().min_tile_elems, 8);
  runtime_info inf = r.info();
  ASSERT_EQ(inf.actors.size(), 3u);
  EXPECT_EQ(inf.actors[0].name, "cpu0");
  EXPECT_EQ(inf.actors[2].kind, "cpu");
  EXPECT_EQ(inf.min_tile_elems, 8);
  runtime_options other = opts3();
  other.cpus = 2;
  EXPECT_THROW(runtime::init(other), error);  // other settings while running
}

TEST_F(runtime_test, creation_and_elementwise) {
  array a = arange(std::int64_t{0}, std::int64_t{24});
  EXPECT_EQ(a.type(), dtype::int64);
  EXPECT_EQ(a.shape(), shape_t{24});
  EXPECT_EQ(a.to_vector<i64>(), iota(24));
  array f = full({5, 3}, 1.5);
  EXPECT_EQ(f.type(), dtype::float64);
  EXPECT_EQ(f.to_vector<double>(), std::vector<double>(15, 1.5));
  std::vector<double> hv{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  array h = from_vector(hv, {3, 4});
  EXPECT_EQ(h.shape(), (shape_t{3, 4}));
  EXPECT_EQ(h.to_vector<double>(), hv);

  array b = a * std::int64_t{3} - std::int64_t{4};
  std::vector<i64> want(24);
  for (int i = 0; i < 24; ++i) want[i] = 3 * i - 4;
  EXPECT_EQ(b.to_vector<i64>(), want);
  // broadcasting (3, 4) + (4,) and mixed int/float promotion
  array row = from_vector(std::vector<double>{10, 20, 30, 40});
  array s = h + row;
  std::vector<double> ws(12);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) ws[i * 4 + j] = hv[i * 4 + j] + 10 * (j + 1);
  EXPECT_EQ(s.to_vector<double>(), ws);
  array m = a.reshape({3, 8}) + 0.5;
  EXPECT_EQ(m.type(), dtype::float64);
  std::vector<double> wm(24);
  for (int i = 0; i < 24; ++i) wm[i] = i + 0.5;
  EXPECT_EQ(m.to_vector<double>(), wm);
  array cmp = binary(binary_op::less, a, std::int64_t{5});
  EXPECT_EQ(cmp.type(), dtype::bool_);
  auto cb = cmp.to_vector<std::uint8_t>();
  for (int i = 0; i < 24; ++i) EXPECT_EQ(cb[i] != 0, i < 5);
}

TEST_F(runtime_test, reductions_and_matmul) {
  array a = arange(std::int64_t{0}, std::int64_t{24}).reshape({4, 6});
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, a).item()), 276);
  EXPECT_EQ(reduce(reduce_kind::sum, a, std::vector<i64>{0}).to_vector<i64>(),
            (std::vector<i64>{36, 40, 44, 48, 52, 56}));
  EXPECT_EQ(reduce(reduce_kind::max, a, std::vector<i64>{1}).to_vector<i64>(),
            (std::vector<i64>{5, 11, 17, 23}));
  array km = reduce(reduce_kind::min, a, std::vector<i64>{1}, true);
  EXPECT_EQ(km.shape(), (shape_t{4, 1}));
  EXPECT_EQ(km.to_vector<i64>(), (std::vector<i64>{0, 6, 12, 18}));
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::argmax, a).item()), 23);
  EXPECT_DOUBLE_EQ(std::get<double>(mean(a).item()), 11.5);

  array x = arange(0.0, 12.0).reshape({3, 4});
  array y = arange(0.0, 8.0).reshape({4, 2});
  array z = matmul(x, y);
  EXPECT_EQ(z.shape(), (shape_t{3, 2}));
  std::vector<double> wz(6, 0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 4; ++k) wz[i * 2 + j] += (i * 4 + k) * (k * 2 + j);
  EXPECT_EQ(z.to_vector<double>(), wz);
  // matmul of a transposed view
  array zt = matmul(y.transpose(), x.transpose());  // (2, 4) @ (4, 3) == z.T
  std::vector<double> wzt(6);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) wzt[j * 3 + i] = wz[i * 2 + j];
  EXPECT_EQ(zt.to_vector<double>(), wzt);
}

TEST_F(runtime_test, views_assign_concatenate_reshape) {
  array a = arange(std::int64_t{0}, std::int64_t{24}).reshape({4, 6});
  std::vector<i64> base = iota(24);
  // a[1:3, ::-2]
  array v = a[{ix::range(1, 3), ix::range({}, {}, -2)}];
  EXPECT_EQ(v.shape(), (shape_t{2, 3}));
  EXPECT_EQ(v.to_vector<i64>(), (std::vector<i64>{11, 9, 7, 17, 15, 13}));
  // a[-1], a[..., 2], a[None, 0, 1:4]
  EXPECT_EQ((a[{ix::at(-1)}].to_vector<i64>()), (std::vector<i64>{18, 19, 20, 21, 22, 23}));
  EXPECT_EQ((a[{ix::dots(), ix::at(2)}].to_vector<i64>()), (std::vector<i64>{2, 8, 14, 20}));
  array na = a[{ix::new_axis(), ix::at(0), ix::range(1, 4)}];
  EXPECT_EQ(na.shape(), (shape_t{1, 3}));
  EXPECT_EQ(na.to_vector<i64>(), (std::vector<i64>{1, 2, 3}));
  EXPECT_EQ(std::get<i64>((a[{ix::at(2), ix::at(3)}].item())), 15);
  // a view of a view, and a transpose
  EXPECT_EQ((v[{ix::at(1), ix::range(1, {})}].to_vector<i64>()), (std::vector<i64>{15, 13}));
  std::vector<i64> at(24);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) at[j * 4 + i] = base[i * 6 + j];
  EXPECT_EQ(a.transpose().to_vector<i64>(), at);
  // index errors are thrown at the call
  try {
    (void)a[{ix::at(4)}];
    ADD_FAILURE() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::index_error);
    EXPECT_EQ(std::string(e.what()), "index 4 is out of bounds for axis 0 with size 4");
  }

  // assignment writes through to the base and to views taken before it
  array row1 = a[{ix::at(1)}];
  a.assign({ix::at(1), ix::range(0, {}, 2)}, std::int64_t{-1});
  a.assign({ix::range(2, 4), ix::range(4, 6)}, from_vector(std::vector<i64>{100, 200}));
  std::vector<i64> w = base;
  w[6] = w[8] = w[10] = -1;
  w[16] = w[22] = 100;
  w[17] = w[23] = 200;
  EXPECT_EQ(a.to_vector<i64>(), w);
  EXPECT_EQ(row1.to_vector<i64>(), (std::vector<i64>(w.begin() + 6, w.begin() + 12)));
  EXPECT_EQ(v.to_vector<i64>(), (std::vector<i64>{11, 9, 7, 200, 15, 13}));
  // a copy taken before a write does not see it
  array c = a.copy();
  a.assign({ix::all()}, std::int64_t{0});
  EXPECT_EQ(a.to_vector<i64>(), std::vector<i64>(24, 0));
  EXPECT_EQ(c.to_vector<i64>(), w);
  // assigning through a view writes the base
  array cv = c[{ix::range(1, 3)}];
  cv.assign({ix::dots(), ix::at(0)}, std::int64_t{7});
  w[6] = w[12] = 7;
  EXPECT_EQ(c.to_vector<i64>(), w);

  // concatenate along both axes, with promotion
  array p = arange(std::int64_t{0}, std::int64_t{6}).reshape({2, 3});
  array q = full({1, 3}, 0.5);
  array pq = concatenate({p, q, p}, 0);
  EXPECT_EQ(pq.shape(), (shape_t{5, 3}));
  EXPECT_EQ(pq.type(), dtype::float64);
  EXPECT_EQ(pq.to_vector<double>(), (std::vector<double>{0, 1, 2, 3, 4, 5, .5, .5, .5, 0, 1, 2, 3, 4, 5}));
  array p1 = concatenate({p, p[{ix::all(), ix::range({}, {}, -1)}]}, 1);
  EXPECT_EQ(p1.to_vector<i64>(), (std::vector<i64>{0, 1, 2, 2, 1, 0, 3, 4, 5, 5, 4, 3}));

  // reshape (also of a non-contiguous view) and ravel
  array big = arange(std::int64_t{0}, std::int64_t{60}).reshape({3, 4, 5});
  EXPECT_EQ(big.reshape({-1, 6}).shape(), (shape_t{10, 6}));
  EXPECT_EQ(big.reshape({-1, 6}).to_vector<i64>(), iota(60));
  array tv = big.transpose({2, 0, 1});  // (5, 3, 4)
  std::vector<i64> wt;
  for (int k = 0; k < 5; ++k)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) wt.push_back(i * 20 + j * 5 + k);
  EXPECT_EQ(tv.ravel().to_vector<i64>(), wt);
  EXPECT_EQ(tv.reshape({15, 4}).to_vector<i64>(), wt);
}

TEST_F(runtime_test, kernel_error_propagates_and_runtime_keeps_working) {
  array x = arange(std::int64_t{0}, std::int64_t{30});
  array e = full({30}, std::int64_t{-1});
  array p = binary(binary_op::power, x, e);
  array q = p[{ix::range({}, {}, -1)}] + x;  // consumes the failed shards across actors
  for (const array* bad : {&p, &q}) {
    try {
      bad->to_vector<i64>();
      ADD_FAILURE() << "no error";
    } catch (const error& err) {
      EXPECT_EQ(err.code(), errc::value_error) << err.what();
      EXPECT_EQ(std::string(err.what()), "Integers to negative integer powers are not allowed.");
    }
  }
  try {
    reduce(reduce_kind::sum, q).item();
    ADD_FAILURE() << "no error";
  } catch (const error& err) {
    EXPECT_EQ(err.code(), errc::value_error);
  }
  // still working
  array ok = binary(binary_op::power, x, std::int64_t{2});
  std::vector<i64> w(30);
  for (int i = 0; i < 30; ++i) w[i] = i * i;
  EXPECT_EQ(ok.to_vector<i64>(), w);
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, x).item()), 435);
}

TEST(runtime, shutdown_and_init_with_other_settings) {
  runtime::init(opts3());
  array a = arange(std::int64_t{0}, std::int64_t{20});
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, a).item()), 190);
  runtime::shutdown();
  EXPECT_FALSE(runtime::running());
  runtime_options o = opts3();
  o.cpus = 2;
  o.min_tile_elems = 4;
  runtime& r = runtime::init(o);
  EXPECT_EQ(r.info().actors.size(), 2u);
  EXPECT_EQ(r.info().min_tile_elems, 4);
  array b = arange(std::int64_t{0}, std::int64_t{20}).reshape({4, 5});
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, b * std::int64_t{2}).item()), 380);
  EXPECT_EQ((b[{ix::at(3)}].to_vector<i64>()), (std::vector<i64>{15, 16, 17, 18, 19}));
  runtime::shutdown();
  runtime::shutdown();  // twice is harmless
  EXPECT_FALSE(runtime::running());
}

}  // namespace
}  // namespace shoal

namespace shoal {
namespace {

TEST_F(runtime_test, lazy_expression_sees_the_value_before_a_later_write) {
  array a = arange(std::int64_t{0}, std::int64_t{24});
  array y = a + std::int64_t{1};  // not read yet
  array t = a[{ix::range(0, 12)}] * std::int64_t{2};
  a.assign({ix::all()}, std::int64_t{0});
  std::vector<i64> wy(24), wt(12);
  for (int i = 0; i < 24; ++i) wy[i] = i + 1;
  for (int i = 0; i < 12; ++i) wt[i] = 2 * i;
  EXPECT_EQ(y.to_vector<i64>(), wy);
  EXPECT_EQ(t.to_vector<i64>(), wt);
  EXPECT_EQ(a.to_vector<i64>(), std::vector<i64>(24, 0));
}

TEST_F(runtime_test, overlapping_self_assignment) {
  array a = arange(std::int64_t{0}, std::int64_t{24});
  a.assign({ix::range(1, {})}, a[{ix::range({}, -1)}]);  // a[1:] = a[:-1]
  std::vector<i64> w(24);
  w[0] = 0;
  for (int i = 1; i < 24; ++i) w[i] = i - 1;
  EXPECT_EQ(a.to_vector<i64>(), w);
}

TEST_F(runtime_test, reductions_of_empty_arrays) {
  array z = zeros({0}, dtype::int64);
  EXPECT_EQ(std::get<i64>(reduce(reduce_kind::sum, z).item()), 0);
  array z2 = zeros({0, 3}, dtype::float64);
  EXPECT_EQ(reduce(reduce_kind::sum, z2, std::vector<i64>{0}).to_vector<double>(), std::vector<double>(3, 0.0));
}

}  // namespace
}  // namespace shoal
