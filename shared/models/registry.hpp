// The list of models. Adding a model = one header in shared/models/ plus one line in each of the
// two tables below; no runner changes.
#pragma once
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "shared/models/least_squares.hpp"
#include "shared/models/logistic.hpp"
#include "shared/models/multiclass_svm.hpp"
#include "shared/models/softmax.hpp"
#include "shared/models/svm.hpp"

namespace hogwild::models {

enum class model_kind : std::uint32_t { svm = 0, logistic = 1, least_squares = 2, multiclass_svm = 3, softmax = 4 };

inline constexpr model_kind all_models[] = {model_kind::svm, model_kind::logistic,
                                            model_kind::least_squares, model_kind::multiclass_svm,
                                            model_kind::softmax};
inline constexpr std::uint32_t model_count = std::size(all_models);

// Calls f(Model{}) with the model type for `kind`.
template <class F>
decltype(auto) dispatch(model_kind kind, F&& f) {
  switch (kind) {
    case model_kind::svm: return f(svm{});
    case model_kind::logistic: return f(logistic{});
    case model_kind::multiclass_svm: return f(multiclass_svm{});
    case model_kind::softmax: return f(softmax{});
    case model_kind::least_squares: break;
  }
  return f(least_squares{});
}

inline const char* name_of(model_kind k) {
  return dispatch(k, [](auto m) { return decltype(m)::name; });
}

// What labels a model trains on: -1/+1, class indices 0..C-1 (C outputs), or real targets.
enum class label_type { binary, classes, real };
inline label_type label_type_of(model_kind k) {
  if (k == model_kind::multiclass_svm || k == model_kind::softmax) return label_type::classes;
  return dispatch(k, [](auto m) { return decltype(m)::binary_labels ? label_type::binary : label_type::real; });
}

inline std::optional<model_kind> parse_model(std::string_view s) {
  for (auto k : all_models)
    if (s == name_of(k)) return k;
  return std::nullopt;
}

}  // namespace hogwild::models
