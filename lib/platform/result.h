// Error values that travel across module boundaries instead of exceptions (ccache/LevelDB style).
// An Error is one human sentence with its context (file, line:column, field path, bank id).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace payops {

struct Error {
  std::string message;
  // Distinguishes failures that callers map to different exit codes; most are `failed`.
  enum class Kind { failed, invalid_input, lock_timeout, invalid_config, not_found, conflict };
  Kind kind = Kind::failed;
};

inline Error make_error(std::string message, Error::Kind kind = Error::Kind::failed) {
  return Error{std::move(message), kind};
}

// Result<T>: a T or an Error. REQUIRES: value() only when ok(), error() only when !ok().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Status: success or an Error.
using Status = Result<std::monostate>;
inline Status ok_status() { return std::monostate{}; }

}  // namespace payops
