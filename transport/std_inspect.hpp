#pragma once
/// `inspect` for std::optional and std::variant, which CAF 0.17 only knows in its own
/// flavours (caf::optional, caf::variant). Declared in namespace caf so that ADL finds them
/// through the inspector's type.
///   std::optional<T> -> bool present, then the value if present
///   std::variant<Ts...> -> uint8 alternative index, then the value
/// A variant index out of range on the wire is a load error, not an exception.
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <caf/deserializer.hpp>

#include "transport/msgpack_deserializer.hpp"

namespace caf {

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, std::optional<T>& x) {
  if constexpr (Inspector::reads_state) {
    if (x) return f(true, *x);
    return f(false);
  } else {
    bool present = false;
    if (auto err = f(present)) return err;
    if (!present) {
      x.reset();
      return error{};
    }
    T tmp{};
    if (auto err = f(tmp)) return err;
    x = std::move(tmp);
    return error{};
  }
}

namespace detail_shoal {

/// Loads alternative `index` of `x`, found by walking the alternatives at compile time.
template <size_t I = 0, class Inspector, class... Ts>
error load_alternative(Inspector& f, std::variant<Ts...>& x, uint8_t index) {
  if constexpr (I < sizeof...(Ts)) {
    if (index != I) return load_alternative<I + 1>(f, x, index);
    std::variant_alternative_t<I, std::variant<Ts...>> tmp{};
    if (auto err = f(tmp)) return err;
    x.template emplace<I>(std::move(tmp));
    return error{};
  } else {
    return shoal::transport::fail_load(f, "variant index " + std::to_string(index) +
                                              " out of range (" +
                                              std::to_string(sizeof...(Ts)) + " alternatives)");
  }
}

}  // namespace detail_shoal

template <class Inspector, class... Ts>
typename Inspector::result_type inspect(Inspector& f, std::variant<Ts...>& x) {
  static_assert(sizeof...(Ts) < 256, "the wire holds a variant's index in one byte");
  if constexpr (Inspector::reads_state) {
    auto index = static_cast<uint8_t>(x.index());
    return std::visit([&](auto& v) { return f(index, v); }, x);
  } else {
    uint8_t index = 0;
    if (auto err = f(index)) return err;
    return detail_shoal::load_alternative(f, x, index);
  }
}

}  // namespace caf
