/// n-d strided copy: dims are coalesced first so that most copies become a few memcpys.
#include "arrays/strided_copy.hpp"

#include <cstring>
#include <vector>

namespace shoal {

namespace {

template <class T>
void copy_row(std::byte* d, std::int64_t ds, const std::byte* s, std::int64_t ss, std::int64_t n) {
  auto* dp = reinterpret_cast<T*>(d);
  auto* sp = reinterpret_cast<const T*>(s);
  for (std::int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, sp + i * ss, sizeof(T));  // unaligned-safe
    std::memcpy(dp + i * ds, &v, sizeof(T));
  }
}

void copy_row_any(std::byte* d, std::int64_t ds, const std::byte* s, std::int64_t ss,
                  std::int64_t n, std::size_t isz) {
  if (ds == 1 && ss == 1) {
    std::memcpy(d, s, std::size_t(n) * isz);
    return;
  }
  switch (isz) {
    case 1: return copy_row<std::uint8_t>(d, ds, s, ss, n);
    case 2: return copy_row<std::uint16_t>(d, ds, s, ss, n);
    case 4: return copy_row<std::uint32_t>(d, ds, s, ss, n);
    case 8: return copy_row<std::uint64_t>(d, ds, s, ss, n);
    default:
      for (std::int64_t i = 0; i < n; ++i)
        std::memcpy(d + i * ds * std::int64_t(isz), s + i * ss * std::int64_t(isz), isz);
  }
}

}  // namespace

merged_dims merge_dims(const std::int64_t* dst_strides, const std::int64_t* src_strides, const shape_t& shape) {
  merged_dims m;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) {
      m.none = true;
      return m;
    }
    if (shape[d] == 1) continue;
    if (!m.ext.empty() && m.ds.back() == dst_strides[d] * shape[d] && m.ss.back() == src_strides[d] * shape[d]) {
      m.ext.back() *= shape[d];
      m.ds.back() = dst_strides[d];
      m.ss.back() = src_strides[d];
      continue;
    }
    m.ext.push_back(shape[d]);
    m.ds.push_back(dst_strides[d]);
    m.ss.push_back(src_strides[d]);
  }
  return m;
}

void copy_strided(void* dst, const std::int64_t* dst_strides, const void* src,
                  const std::int64_t* src_strides, const shape_t& shape, std::size_t itemsize) {
  merged_dims m = merge_dims(dst_strides, src_strides, shape);
  if (m.none) return;
  const shape_t &ext = m.ext, &ds = m.ds, &ss = m.ss;
  auto* d = static_cast<std::byte*>(dst);
  auto* s = static_cast<const std::byte*>(src);
  const auto isz = std::int64_t(itemsize);
  if (ext.empty()) {  // 0-d or all extents 1: one element
    std::memcpy(d, s, itemsize);
    return;
  }
  const std::size_t nd = ext.size();
  const std::size_t last = nd - 1;
  std::vector<std::int64_t> idx(nd, 0);
  std::int64_t doff = 0, soff = 0;  // element offsets of the current row start
  for (;;) {
    copy_row_any(d + doff * isz, ds[last], s + soff * isz, ss[last], ext[last], itemsize);
    std::size_t k = last;
    for (;;) {
      if (k == 0) return;
      --k;
      doff += ds[k];
      soff += ss[k];
      if (++idx[k] < ext[k]) break;
      doff -= ds[k] * ext[k];
      soff -= ss[k] * ext[k];
      idx[k] = 0;
    }
  }
}

}  // namespace shoal
