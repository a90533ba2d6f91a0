#pragma once
/// Errors as values (they cross actor and process boundaries) and the exception the
/// C++ API throws. At the Python boundary each errc maps to NumPy's exception type.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace shoal {

/// Error categories; values are stable (they travel in messages).
enum class errc : std::uint8_t {
  none = 0,
  value_error = 1,    ///< Python ValueError (shapes that do not broadcast, bad arguments)
  type_error = 2,     ///< Python TypeError (unsupported dtype for an operation)
  index_error = 3,    ///< Python IndexError (index out of range)
  axis_error = 4,     ///< numpy.exceptions.AxisError (a ValueError and an IndexError)
  memory_error = 5,   ///< Python MemoryError (an allocation failed)
  runtime_error = 6,  ///< Python RuntimeError (an actor failed, a timeout, the runtime is down)
  zero_division = 7,  ///< Python ZeroDivisionError
  key_error = 8,      ///< Python KeyError (an unknown name, e.g. of a custom kernel)
};

/// An error as a value: a category and NumPy-style wording.
struct error_info {
  errc code = errc::none;
  std::string message;
  explicit operator bool() const { return code != errc::none; }
};

/// The exception the C++ API throws; python/ translates it by `code`.
class error : public std::runtime_error {
 public:
  error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  explicit error(const error_info& e) : error(e.code, e.message) {}
  errc code() const { return code_; }

 private:
  errc code_;
};

[[noreturn]] inline void throw_error(errc code, const std::string& message) {
  throw error(code, message);
}

}  // namespace shoal
