#include "arrays/shape.hpp"

#include <gtest/gtest.h>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

TEST(shape, numel_and_strides) {
  EXPECT_EQ(numel({}), 1);
  EXPECT_EQ(numel({0, 5}), 0);
  EXPECT_EQ(numel({2, 3, 4}), 24);
  EXPECT_EQ(c_strides({2, 3, 4}), (shape_t{12, 4, 1}));
  EXPECT_EQ(c_strides({}), shape_t{});
  EXPECT_EQ(c_strides({5, 0, 2}), (shape_t{0, 2, 1}));
}

TEST(shape, str_like_numpy) {
  EXPECT_EQ(shape_str({}), "()");
  EXPECT_EQ(shape_str({3}), "(3,)");
  EXPECT_EQ(shape_str({2, 3}), "(2, 3)");
  EXPECT_EQ(shape_str({0, 1, 7}), "(0, 1, 7)");
}

TEST(shape, broadcast) {
  EXPECT_EQ(broadcast_shapes({3}, {3}), shape_t{3});
  EXPECT_EQ(broadcast_shapes({}, {2, 3}), (shape_t{2, 3}));
  EXPECT_EQ(broadcast_shapes({4, 1}, {3}), (shape_t{4, 3}));
  EXPECT_EQ(broadcast_shapes({1, 5, 1}, {2, 1, 6}), (shape_t{2, 5, 6}));
  EXPECT_EQ(broadcast_shapes({0}, {1}), shape_t{0});
  EXPECT_EQ(broadcast_shapes({2, 0}, {2, 1}), (shape_t{2, 0}));
}

TEST(shape, broadcast_error_is_numpys) {
  try {
    broadcast_shapes({3}, {4});
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::value_error);
    EXPECT_STREQ(e.what(), "operands could not be broadcast together with shapes (3,) (4,) ");
  }
  try {
    broadcast_shapes({2, 3}, {0});
    FAIL();
  } catch (const error& e) {
    EXPECT_STREQ(e.what(), "operands could not be broadcast together with shapes (2, 3) (0,) ");
  }
}

TEST(shape, broadcast_strides) {
  EXPECT_EQ(broadcast_strides({3}, {4, 3}), (shape_t{0, 1}));
  EXPECT_EQ(broadcast_strides({4, 1}, {4, 3}), (shape_t{1, 0}));
  EXPECT_EQ(broadcast_strides({}, {2, 2}), (shape_t{0, 0}));
  EXPECT_EQ(broadcast_strides({2, 3}, {2, 3}), (shape_t{3, 1}));
  EXPECT_EQ(broadcast_strides({1}, {1}), (shape_t{1}));
}

TEST(shape, boxes) {
  box b{{1, 2}, {4, 3}};
  EXPECT_EQ(b.extent(), (shape_t{3, 1}));
  EXPECT_EQ(b.size(), 3);
  EXPECT_FALSE(b.empty());
  box e{{2, 2}, {2, 5}};
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(e.size(), 0);
  EXPECT_EQ(full_box({5, 6}), (box{{0, 0}, {5, 6}}));
  EXPECT_EQ(intersect(box{{0, 0}, {4, 4}}, box{{2, 3}, {6, 9}}), (box{{2, 3}, {4, 4}}));
  EXPECT_TRUE(intersect(box{{0}, {2}}, box{{3}, {5}}).empty());
  box z = full_box({});
  EXPECT_EQ(z.size(), 1);
  EXPECT_FALSE(z.empty());
}

}  // namespace
}  // namespace shoal
