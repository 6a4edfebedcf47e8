// The list of models. Adding a model = one header in shared/models/ (a struct with name, loss,
// dloss, predict, error — see svm.hpp), its #include below, and one X(...) entry in
// HOGWILD_MODEL_LIST; nothing else changes (runners, CLI, tests that loop over all models).
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

// X(struct name). Append only: the position is the model's number in segment headers.
#define HOGWILD_MODEL_LIST(X) \
  X(svm)                      \
  X(logistic)                 \
  X(least_squares)            \
  X(multiclass_svm)           \
  X(softmax)                  \
  /* new models go above this line */

enum class model_kind : std::uint32_t {
#define HOGWILD_ENUM(m) m,
  HOGWILD_MODEL_LIST(HOGWILD_ENUM)
#undef HOGWILD_ENUM
};

inline constexpr model_kind all_models[] = {
#define HOGWILD_KIND(m) model_kind::m,
    HOGWILD_MODEL_LIST(HOGWILD_KIND)
#undef HOGWILD_KIND
};
inline constexpr std::uint32_t model_count = std::size(all_models);

// Calls f(Model{}) with the model type for `kind`.
template <class F>
decltype(auto) dispatch(model_kind kind, F&& f) {
  switch (kind) {
#define HOGWILD_CASE(m) \
  case model_kind::m:   \
    return f(m{});
    HOGWILD_MODEL_LIST(HOGWILD_CASE)
#undef HOGWILD_CASE
  }
  return f(svm{});  // unreachable for a valid kind (segment headers are validated)
}

inline const char* name_of(model_kind k) {
  return dispatch(k, [](auto m) { return decltype(m)::name; });
}

// What labels a model trains on: -1/+1, class indices 0..C-1 (C outputs), or real targets.
enum class label_type { binary, classes, real };
inline label_type label_type_of(model_kind k) {
  return dispatch(k, [](auto m) {
    using M = decltype(m);
    if constexpr (requires { M::class_labels; }) return label_type::classes;
    else return M::binary_labels ? label_type::binary : label_type::real;
  });
}

inline std::optional<model_kind> parse_model(std::string_view s) {
  for (auto k : all_models)
    if (s == name_of(k)) return k;
  return std::nullopt;
}

}  // namespace hogwild::models
