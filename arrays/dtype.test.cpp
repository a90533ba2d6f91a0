#include "arrays/dtype.hpp"

#include <gtest/gtest.h>

namespace shoal {
namespace {

const dtype all[] = {dtype::bool_, dtype::int32, dtype::int64, dtype::float32, dtype::float64};

TEST(dtype, names_round_trip) {
  for (auto t : all) {
    auto back = dtype_from_name(dtype_name(t));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, t);
  }
  EXPECT_EQ(dtype_from_name("bool_"), dtype::bool_);
  EXPECT_EQ(dtype_from_name("float"), dtype::float64);
  EXPECT_EQ(dtype_from_name("int"), dtype::int64);
  EXPECT_FALSE(dtype_from_name("complex64").has_value());
  EXPECT_FALSE(dtype_from_name("").has_value());
}

TEST(dtype, itemsize) {
  EXPECT_EQ(itemsize(dtype::bool_), 1u);
  EXPECT_EQ(itemsize(dtype::int32), 4u);
  EXPECT_EQ(itemsize(dtype::int64), 8u);
  EXPECT_EQ(itemsize(dtype::float32), 4u);
  EXPECT_EQ(itemsize(dtype::float64), 8u);
}

TEST(dtype, promote_table_matches_numpy) {
  // np.result_type over (bool, int32, int64, float32, float64), row x column
  using d = dtype;
  const dtype expect[5][5] = {
      {d::bool_, d::int32, d::int64, d::float32, d::float64},
      {d::int32, d::int32, d::int64, d::float64, d::float64},
      {d::int64, d::int64, d::int64, d::float64, d::float64},
      {d::float32, d::float64, d::float64, d::float32, d::float64},
      {d::float64, d::float64, d::float64, d::float64, d::float64},
  };
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(promote(all[i], all[j]), expect[i][j]) << i << "," << j;
}

TEST(dtype, promote_with_scalar_nep50) {
  using d = dtype;
  using k = scalar_kind;
  EXPECT_EQ(promote_with_scalar(d::bool_, k::boolean), d::bool_);
  EXPECT_EQ(promote_with_scalar(d::bool_, k::integer), d::int64);
  EXPECT_EQ(promote_with_scalar(d::bool_, k::floating), d::float64);
  EXPECT_EQ(promote_with_scalar(d::int32, k::integer), d::int32);
  EXPECT_EQ(promote_with_scalar(d::int32, k::boolean), d::int32);
  EXPECT_EQ(promote_with_scalar(d::int32, k::floating), d::float64);
  EXPECT_EQ(promote_with_scalar(d::int64, k::floating), d::float64);
  EXPECT_EQ(promote_with_scalar(d::float32, k::floating), d::float32);
  EXPECT_EQ(promote_with_scalar(d::float32, k::integer), d::float32);
  EXPECT_EQ(promote_with_scalar(d::float64, k::integer), d::float64);
}

TEST(dtype, float_result) {
  EXPECT_EQ(float_result(dtype::bool_), dtype::float32);
  EXPECT_EQ(float_result(dtype::int32), dtype::float64);
  EXPECT_EQ(float_result(dtype::int64), dtype::float64);
  EXPECT_EQ(float_result(dtype::float32), dtype::float32);
  EXPECT_EQ(float_result(dtype::float64), dtype::float64);
}

TEST(dtype, visit_dtype_gives_ctype) {
  for (auto t : all) {
    auto sz = visit_dtype(t, [](auto tag) { return sizeof(ctype_t<decltype(tag)::value>); });
    EXPECT_EQ(sz, itemsize(t));
  }
}

}  // namespace
}  // namespace shoal
