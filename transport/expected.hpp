#pragma once
/// `expected<T>`: a value or the reason it could not be made. Transport functions return it
/// instead of throwing, because a malformed or hostile message must never unwind through a
/// node; the reason (`error().message`) is what the caller logs. GCC 12 has no
/// std::expected, and caf::expected carries a caf::error whose text is awkward to get at.
#include <utility>
#include <variant>

#include "arrays/errors.hpp"

namespace shoal::transport {

/// Shorthand for a transport failure: errc::runtime_error and a reason.
inline error_info fail(std::string reason) {
  return error_info{errc::runtime_error, std::move(reason)};
}

/// A T, or the error_info saying why there is none.
template <class T>
class expected {
 public:
  expected(T value) : v_(std::move(value)) {}                 // NOLINT: implicit on purpose
  expected(error_info err) : v_(std::move(err)) {}            // NOLINT: implicit on purpose
  explicit operator bool() const { return v_.index() == 0; }
  bool has_value() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// The failure; only valid when !has_value().
  const error_info& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, error_info> v_;
};

}  // namespace shoal::transport
