// The list of models. Adding a model = one header in shared/models/ plus one line in each of the
// two tables below; no runner changes.
#pragma once
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "shared/models/least_squares.hpp"
#include "shared/models/logistic.hpp"
#include "shared/models/svm.hpp"

namespace hogwild::models {

enum class model_kind : std::uint32_t { svm = 0, logistic = 1, least_squares = 2 };

inline constexpr model_kind all_models[] = {model_kind::svm, model_kind::logistic,
                                            model_kind::least_squares};
inline constexpr std::uint32_t model_count = std::size(all_models);

// Calls f(Model{}) with the model type for `kind`.
template <class F>
decltype(auto) dispatch(model_kind kind, F&& f) {
  switch (kind) {
    case model_kind::svm: return f(svm{});
    case model_kind::logistic: return f(logistic{});
    case model_kind::least_squares: break;
  }
  return f(least_squares{});
}

inline const char* name_of(model_kind k) {
  return dispatch(k, [](auto m) { return decltype(m)::name; });
}

inline std::optional<model_kind> parse_model(std::string_view s) {
  for (auto k : all_models)
    if (s == name_of(k)) return k;
  return std::nullopt;
}

}  // namespace hogwild::models
