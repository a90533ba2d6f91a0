/// Reductions over dense tiles.
///
/// Value reductions first merge neighbouring dims that are all reduced or all kept (the tile is
/// dense, so that is always valid), which turns the common cases into one of two inner loops:
/// innermost dim reduced -> each contiguous row folds to one value (axis=-1, axis=None: the
/// fast, vectorized row kernels, pairwise for float sums like NumPy); innermost dim kept ->
/// each row is combined elementwise into an output row (axis=0 of a matrix: also vectorized).
/// Arg-reductions walk the original dims, tracking global indices.
#include "arrays/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "arrays/elementwise_ops.hpp"
#include "arrays/errors.hpp"

namespace shoal {

namespace {

using ops::stype;
using i64 = std::int64_t;

// ---- per-kind scalar rules: identity, and fold of one input element into an accumulator ----

template <reduce_kind K, class R> R identity() {
  if constexpr (K == reduce_kind::sum || K == reduce_kind::any) return R(0);
  else if constexpr (K == reduce_kind::prod || K == reduce_kind::all) return R(1);
  else if constexpr (K == reduce_kind::min) {
    if constexpr (ops::is_float_v<R>) return std::numeric_limits<R>::infinity();
    else return std::numeric_limits<R>::max();  // bool: 1
  } else {
    if constexpr (ops::is_float_v<R>) return -std::numeric_limits<R>::infinity();
    else return std::numeric_limits<R>::min();  // bool: 0
  }
}

/// acc (+) x for accumulator type R; NaN propagates through min/max; ints wrap.
template <reduce_kind K, class R> inline R fold(R acc, R x) {
  if constexpr (K == reduce_kind::sum) {
    if constexpr (ops::is_int_v<R>) return R(ops::uns<R>(acc) + ops::uns<R>(x));
    else return acc + x;
  } else if constexpr (K == reduce_kind::prod) {
    if constexpr (ops::is_int_v<R>) return R(ops::uns<R>(acc) * ops::uns<R>(x));
    else return acc * x;
  } else if constexpr (K == reduce_kind::min) {
    return ops::binop<opcode::minimum, R>(acc, x);
  } else if constexpr (K == reduce_kind::max) {
    return ops::binop<opcode::maximum, R>(acc, x);
  } else if constexpr (K == reduce_kind::any) {
    if constexpr (ops::is_float_v<R>) return R(acc != 0 || x != 0);  // only via combine_partials
    else return R(acc | x);
  } else {
    if constexpr (ops::is_float_v<R>) return R(acc != 0 && x != 0);
    else return R(acc & x);
  }
}

/// An input element as the accumulator sees it (any/all: x != 0; sums of bool count trues).
template <reduce_kind K, class R, class T> inline R lift(T x) {
  if constexpr (K == reduce_kind::any || K == reduce_kind::all) return R(x != T(0));
  else return R(x);
}

// ---- row kernels: fold n contiguous elements into one value ----

template <class T> struct vec16 {
  typedef T type __attribute__((vector_size(16)));
};

/// NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src): blocks of 128 summed
/// with 8 accumulators, larger ranges split in halves; error O(log n) instead of O(n).
template <class T> T pairwise_sum(const T* x, i64 n) {
  if (n < 8) {
    T s = T(0);
    for (i64 i = 0; i < n; ++i) s += x[i];
    return s;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = x[j];
    i64 i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += x[i + j];
    T s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += x[i];
    return s;
  }
  i64 n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(x, n2) + pairwise_sum(x + n2, n - n2);
}

template <reduce_kind K, class T, class R> R reduce_row(const T* __restrict x, i64 n) {
  if constexpr (K == reduce_kind::sum && ops::is_float_v<T>) {
    return pairwise_sum(x, n);
  } else if constexpr (K == reduce_kind::prod) {
    R acc = R(1);
    for (i64 i = 0; i < n; ++i) acc = fold<K, R>(acc, R(x[i]));
    return acc;
  } else if constexpr ((K == reduce_kind::min || K == reduce_kind::max) && ops::is_float_v<T>) {
    // GCC's vectorizer gives up on this select-reduction, so use vector extensions (16-byte
    // vectors: SSE2, always there on x86-64; 2.2x faster). Take v where it is better or
    // NaN: a NaN lane then stays NaN (nothing compares better than NaN), so NaN propagates.
    using V = typename vec16<T>::type;
    constexpr int L = int(16 / sizeof(T));
    V a0, a1;
    for (int j = 0; j < L; ++j) a0[j] = a1[j] = identity<K, T>();
    i64 i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      V v0, v1;
      std::memcpy(&v0, x + i, sizeof(V));
      std::memcpy(&v1, x + i + L, sizeof(V));
      if constexpr (K == reduce_kind::min) {
        a0 = ((v0 < a0) | (v0 != v0)) ? v0 : a0;
        a1 = ((v1 < a1) | (v1 != v1)) ? v1 : a1;
      } else {
        a0 = ((v0 > a0) | (v0 != v0)) ? v0 : a0;
        a1 = ((v1 > a1) | (v1 != v1)) ? v1 : a1;
      }
    }
    T acc = identity<K, T>();
    for (int j = 0; j < L; ++j) acc = fold<K, T>(fold<K, T>(acc, a0[j]), a1[j]);
    for (; i < n; ++i) acc = fold<K, T>(acc, x[i]);
    return acc;
  } else if constexpr (K == reduce_kind::sum && ops::is_int_v<R> && !std::is_same_v<T, R>) {
    // widening sums (bool/int32 -> int64): a plain loop. GCC 12.2 -O3 miscompiles the lane
    // form below for uint8 -> int64 (counts half the elements); this form vectorizes correctly.
    ops::uns<R> s = 0;
    for (i64 i = 0; i < n; ++i) s += ops::uns<R>(R(x[i]));
    return R(s);
  } else {
    // int sums (wrapping), int/bool min/max, any/all: associative, so lanes vectorize
    constexpr int W = 8;
    R lane[W];
    for (int j = 0; j < W; ++j) lane[j] = identity<K, R>();
    i64 i = 0;
    for (; i + W <= n; i += W)
      for (int j = 0; j < W; ++j) lane[j] = fold<K, R>(lane[j], lift<K, R>(x[i + j]));
    R acc = identity<K, R>();
    for (int j = 0; j < W; ++j) acc = fold<K, R>(acc, lane[j]);
    for (; i < n; ++i) acc = fold<K, R>(acc, lift<K, R>(x[i]));
    return acc;
  }
}

/// out[j] = out[j] (+) x[j], j < n (innermost dim kept).
template <reduce_kind K, class T, class R>
void fold_rows(R* __restrict out, const T* __restrict x, i64 n) {
  for (i64 j = 0; j < n; ++j) out[j] = fold<K, R>(out[j], lift<K, R>(x[j]));
}

struct merged {
  shape_t ext;
  std::vector<bool> red;
};

/// Drops extent-1 dims and merges neighbours with the same reduced/kept flag.
merged merge_dims(const shape_t& shape, const std::vector<bool>& axes) {
  merged m;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!m.ext.empty() && m.red.back() == bool(axes[d])) {
      m.ext.back() *= shape[d];
    } else {
      m.ext.push_back(shape[d]);
      m.red.push_back(axes[d]);
    }
  }
  if (m.ext.empty()) {  // a single element: one reduced dim of extent 1 folds it in
    m.ext.push_back(1);
    m.red.push_back(true);
  }
  return m;
}

template <reduce_kind K, class T, class R>
void reduce_values(const T* in, const shape_t& shape, const std::vector<bool>& axes, R* out) {
  i64 n_out = 1;
  for (std::size_t d = 0; d < shape.size(); ++d)
    if (!axes[d]) n_out *= shape[d];
  std::fill_n(out, n_out, identity<K, R>());
  if (numel(shape) == 0) return;
  const merged m = merge_dims(shape, axes);
  const std::size_t nd = m.ext.size(), last = nd - 1;
  const i64 row = m.ext[last];
  // output strides over kept dims (dense), 0 on reduced dims
  shape_t ost(nd, 0);
  i64 acc = 1;
  for (std::size_t d = nd; d-- > 0;)
    if (!m.red[d]) ost[d] = acc, acc *= m.ext[d];
  shape_t idx(nd, 0);
  i64 ioff = 0, ooff = 0;
  for (;;) {
    if (m.red[last]) out[ooff] = fold<K, R>(out[ooff], reduce_row<K, T, R>(in + ioff, row));
    else fold_rows<K, T, R>(out + ooff, in + ioff, row);
    ioff += row;
    std::size_t k = last;
    for (;;) {
      if (k == 0) return;
      --k;
      ooff += ost[k];
      if (++idx[k] < m.ext[k]) break;
      ooff -= ost[k] * m.ext[k];
      idx[k] = 0;
    }
  }
}

// ---- arg-reductions ----

/// Whether candidate x (seen later, so at a larger index) replaces the current best: NaN wins
/// and the first NaN stays; otherwise strictly better.
template <bool Max, class T> inline bool better(T x, T cur) {
  if constexpr (ops::is_float_v<T>) {
    if (cur != cur) return false;
    if (x != x) return true;
  }
  return Max ? x > cur : x < cur;
}

template <bool Max, class T>
void reduce_arg(const T* in, const shape_t& shape, const std::vector<bool>& axes, T* out,
                i64* out_index, const shape_t& origin_in, const shape_t& global_in) {
  const std::size_t nd = shape.size();
  const shape_t origin = origin_in.empty() ? shape_t(nd, 0) : origin_in;
  const shape_t global = global_in.empty() ? shape : global_in;
  if (origin.size() != nd || global.size() != nd)
    throw_error(errc::value_error, "reduce_tile: origin/global_shape rank differs from the tile");
  i64 n_out = 1;
  for (std::size_t d = 0; d < nd; ++d)
    if (!axes[d]) n_out *= shape[d];
  std::fill_n(out_index, n_out, i64(-1));
  std::fill_n(out, n_out, T(0));
  if (numel(shape) == 0) return;
  if (nd == 0) {
    out[0] = in[0];
    out_index[0] = 0;
    return;
  }
  // index strides over the reduced dims of the global array; output strides over kept dims
  shape_t rst(nd, 0), ost(nd, 0);
  i64 r = 1, o = 1;
  for (std::size_t d = nd; d-- > 0;) {
    if (axes[d]) rst[d] = r, r *= global[d];
    else ost[d] = o, o *= shape[d];
  }
  const std::size_t last = nd - 1;
  const i64 row = shape[last];
  shape_t idx(nd, 0);
  i64 ioff = 0, ooff = 0, rbase = 0;  // rbase: global reduced index of the row start
  for (std::size_t d = 0; d < nd; ++d) rbase += origin[d] * rst[d];
  for (;;) {
    const T* x = in + ioff;
    if (axes[last]) {
      // best of the row first (first occurrence), then one merge into the output
      i64 bj = 0;
      for (i64 j = 1; j < row; ++j)
        if (better<Max>(x[j], x[bj])) bj = j;
      const i64 gi = rbase + bj * rst[last];
      if (out_index[ooff] < 0 || better<Max>(x[bj], out[ooff])) out[ooff] = x[bj], out_index[ooff] = gi;
    } else {
      for (i64 j = 0; j < row; ++j)
        if (out_index[ooff + j] < 0 || better<Max>(x[j], out[ooff + j]))
          out[ooff + j] = x[j], out_index[ooff + j] = rbase;
    }
    ioff += row;
    std::size_t k = last;
    for (;;) {
      if (k == 0) return;
      --k;
      ooff += ost[k];
      rbase += rst[k];
      if (++idx[k] < shape[k]) break;
      ooff -= ost[k] * shape[k];
      rbase -= rst[k] * shape[k];
      idx[k] = 0;
    }
  }
}

/// reduce_result at compile time, so each input type instantiates only its own result type.
constexpr dtype result_of(reduce_kind k, dtype in) {
  const bool fl = in == dtype::float32 || in == dtype::float64;
  if (k == reduce_kind::sum || k == reduce_kind::prod) return fl ? in : dtype::int64;
  if (k == reduce_kind::any || k == reduce_kind::all) return dtype::bool_;
  return in;
}

template <reduce_kind K> void dispatch_values(dtype t, const void* in, const shape_t& shape,
                                              const std::vector<bool>& axes, void* out) {
  visit_dtype(t, [&](auto tag) {
    constexpr dtype D = decltype(tag)::value;
    using T = stype<D>;
    using R = stype<result_of(K, D)>;
    reduce_values<K, T, R>(static_cast<const T*>(in), shape, axes, static_cast<R*>(out));
  });
}

template <reduce_kind K, class R> void combine_values(R* acc, const R* part, i64 n) {
  for (i64 i = 0; i < n; ++i) acc[i] = fold<K, R>(acc[i], part[i]);
}

}  // namespace

dtype reduce_result(reduce_kind k, dtype in) {
  switch (k) {
    case reduce_kind::sum: case reduce_kind::prod:
      return is_float(in) ? in : dtype::int64;
    case reduce_kind::min: case reduce_kind::max: return in;
    case reduce_kind::any: case reduce_kind::all: return dtype::bool_;
    case reduce_kind::argmin: case reduce_kind::argmax: return dtype::int64;
  }
  return in;
}

void reduce_tile(reduce_kind k, dtype in_type, const void* in, const shape_t& shape,
                 const std::vector<bool>& axes_in, void* out, std::int64_t* out_index,
                 const shape_t& origin, const shape_t& global_shape) {
  if (axes_in.size() != shape.size())
    throw_error(errc::value_error, "reduce_tile: axes rank differs from the tile");
  const std::vector<bool>& axes = axes_in;
  switch (k) {
    case reduce_kind::sum: return dispatch_values<reduce_kind::sum>(in_type, in, shape, axes, out);
    case reduce_kind::prod: return dispatch_values<reduce_kind::prod>(in_type, in, shape, axes, out);
    case reduce_kind::min: return dispatch_values<reduce_kind::min>(in_type, in, shape, axes, out);
    case reduce_kind::max: return dispatch_values<reduce_kind::max>(in_type, in, shape, axes, out);
    case reduce_kind::any: return dispatch_values<reduce_kind::any>(in_type, in, shape, axes, out);
    case reduce_kind::all: return dispatch_values<reduce_kind::all>(in_type, in, shape, axes, out);
    case reduce_kind::argmin:
    case reduce_kind::argmax:
      if (!out_index) throw_error(errc::value_error, "reduce_tile: arg-reduction needs out_index");
      return visit_dtype(in_type, [&](auto tag) {
        using T = stype<decltype(tag)::value>;
        auto* o = static_cast<T*>(out);
        auto* x = static_cast<const T*>(in);
        if (k == reduce_kind::argmax)
          reduce_arg<true>(x, shape, axes, o, out_index, origin, global_shape);
        else
          reduce_arg<false>(x, shape, axes, o, out_index, origin, global_shape);
      });
  }
}

void combine_partials(reduce_kind k, dtype t, void* acc, const void* part, std::int64_t n,
                      std::int64_t* acc_index, const std::int64_t* part_index) {
  if (k == reduce_kind::argmin || k == reduce_kind::argmax) {
    if (!acc_index || !part_index)
      throw_error(errc::value_error, "combine_partials: arg-reduction needs indices");
    visit_dtype(t, [&](auto tag) {
      using T = stype<decltype(tag)::value>;
      auto* a = static_cast<T*>(acc);
      auto* p = static_cast<const T*>(part);
      const bool mx = k == reduce_kind::argmax;
      for (i64 i = 0; i < n; ++i) {
        if (part_index[i] < 0) continue;  // an empty partial
        bool take;
        if (acc_index[i] < 0) {
          take = true;
        } else {
          // partials arrive in any order: strictly better wins, ties (and NaN vs NaN) go to
          // the smaller index
          const bool pb = mx ? better<true>(p[i], a[i]) : better<false>(p[i], a[i]);
          const bool ab = mx ? better<true>(a[i], p[i]) : better<false>(a[i], p[i]);
          take = pb && !ab ? true : (ab && !pb ? false : part_index[i] < acc_index[i]);
          if constexpr (ops::is_float_v<T>) {
            const bool an = a[i] != a[i], pn = p[i] != p[i];
            if (an != pn) take = pn;
            else if (an && pn) take = part_index[i] < acc_index[i];
          }
        }
        if (take) a[i] = p[i], acc_index[i] = part_index[i];
      }
    });
    return;
  }
  visit_dtype(t, [&](auto tag) {
    using R = stype<decltype(tag)::value>;
    auto* a = static_cast<R*>(acc);
    auto* p = static_cast<const R*>(part);
    switch (k) {
      case reduce_kind::sum: return combine_values<reduce_kind::sum>(a, p, n);
      case reduce_kind::prod: return combine_values<reduce_kind::prod>(a, p, n);
      case reduce_kind::min: return combine_values<reduce_kind::min>(a, p, n);
      case reduce_kind::max: return combine_values<reduce_kind::max>(a, p, n);
      case reduce_kind::any: return combine_values<reduce_kind::any>(a, p, n);
      default: return combine_values<reduce_kind::all>(a, p, n);
    }
  });
}

}  // namespace shoal
