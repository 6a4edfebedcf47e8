// --precision: the type of the model's weights (and of the kernel's arithmetic on them). The
// training data values are float in both; see shared/kernel.hpp for what float32 changes.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace hogwild {

// The value is the size of one weight in bytes (what the segment header records).
enum class precision : std::uint32_t { float32 = 4, float64 = 8 };

inline const char* name_of(precision p) { return p == precision::float32 ? "float32" : "float64"; }

inline std::optional<precision> parse_precision(std::string_view s) {
  if (s == "float32") return precision::float32;
  if (s == "float64") return precision::float64;
  return std::nullopt;
}

// Calls f(float{}) or f(double{}): the weight type for `p`.
template <class F>
decltype(auto) dispatch_precision(precision p, F&& f) {
  if (p == precision::float32) return f(float{});
  return f(double{});
}

template <class T>
inline constexpr precision precision_of = sizeof(T) == 4 ? precision::float32 : precision::float64;

}  // namespace hogwild
