#include "coordinator/data_setup.hpp"

#include <fmt/format.h>

#include "datasets/synthetic.hpp"
#include "shared/kernel.hpp"
#include "shared/error.hpp"

namespace hogwild {

data::label_task label_task_for(models::model_kind m) {
  switch (models::label_type_of(m)) {
    case models::label_type::binary: return data::label_task::binary;
    case models::label_type::classes: return data::label_task::multiclass;
    case models::label_type::real: break;
  }
  return data::label_task::regression;
}

namespace {

run_data read_or_generate(const config& c) {
  run_data r;
  const auto task = label_task_for(c.model);
  if (c.files.train.empty()) {
    auto synth = data::make_synthetic(c.synthetic);
    r.train = std::move(synth.train);
    r.test = std::move(synth.test);
    r.true_weights = std::move(synth.true_weights);
    // Synthetic svm labels are -1/+1: identity for binary models, classes 0/1 for multiclass ones.
    if (task == data::label_task::multiclass) {
      r.labels = data::make_label_map(r.train, task, "synthetic data");
      data::map_labels(r.train, r.labels, "synthetic data");
      data::map_labels(r.test, r.labels, "synthetic data");
    } else {
      r.labels.task = task;
      if (task == data::label_task::binary) r.labels.classes = {-1.0, 1.0};
    }
    r.description = fmt::format("synthetic {} {} x {} (density {:g}, {} nonzeros), {} test rows, seed {}",
                                c.synthetic.kind == data::synthetic_kind::svm ? "svm" : "regression", r.train.rows(),
                                r.train.dims, c.synthetic.density, r.train.nnz(), r.test.rows(), c.synthetic.seed);
    return r;
  }
  auto l = data::load_files(c.files, task);
  r.train = std::move(l.train);
  r.validation = std::move(l.validation);
  r.test = std::move(l.test);
  r.labels = std::move(l.labels);
  r.scale = std::move(l.scale);
  r.image_format = l.format != data::file_format::libsvm;
  std::string classes;
  if (r.labels.task == data::label_task::binary)
    classes = fmt::format("labels {:g} → -1, {:g} → +1", r.labels.classes[0], r.labels.classes[1]);
  else if (r.labels.task == data::label_task::multiclass)
    classes = fmt::format("{} classes (labels {:g}..{:g} → 0..{})", r.labels.classes.size(), r.labels.classes.front(),
                          r.labels.classes.back(), r.labels.classes.size() - 1);
  else
    classes = "real targets";
  r.description = fmt::format("{} ({}) {} x {} ({} nonzeros), {}; {} validation rows, {} test rows; scale {}; read in "
                              "{:.2f} s", c.files.train.front(), data::name_of(l.format), r.train.rows(), r.train.dims,
                              r.train.nnz(), classes, r.validation.rows(), r.test.rows(), data::name_of(r.scale.kind),
                              l.read_seconds);
  if (!l.test_note.empty()) r.description += "; " + l.test_note;
  r.cache_note = fmt::format("train {}{}", l.train_cache, l.test_cache.empty() ? "" : "; test " + l.test_cache);
  if (c.workers > r.train.rows() && !c.workers_default)  // (a default is capped: resolve_data_defaults)
    throw usage_error(fmt::format("--workers: {} workers but only {} training rows; expected at most one worker per row",
                                  c.workers, r.train.rows()));
  if (r.labels.outputs() * static_cast<int>(c.batch_size) > 4096)
    throw usage_error(fmt::format("--batch-size: {} × {} classes exceeds 4096 coefficients per batch", c.batch_size,
                                  r.labels.outputs()));
  return r;
}

}  // namespace

run_data prepare_data(const config& c) {
  run_data r = read_or_generate(c);
  if (c.bias > 0) {  // after scaling (load_files): the constant column is not scaled
    const auto b = static_cast<float>(c.bias);
    const std::size_t column = r.train.dims;  // the test rows' columns are at most the training rows'
    for (data::dataset* d : {&r.train, &r.validation, &r.test}) data::append_bias(*d, column, b);
    r.description += fmt::format("; bias column {} of value {:g} (an intercept)", column + 1, c.bias);
  }
  return r;
}

std::string resolve_data_defaults(config& c, const run_data& d) {
  // One worker per core unless there are fewer training rows than cores; a multiple of
  // --emulate-ranks still (its divisibility was checked on the uncapped count).
  if (c.workers_default && c.workers > d.train.rows()) {
    const auto rows = static_cast<unsigned>(d.train.rows());
    c.workers = rows - rows % c.emulate_ranks;
    if (c.workers == 0)
      throw usage_error(fmt::format("--emulate-ranks: {} ranks need a worker each, but the {} training row{} allow{} "
                                    "at most {} worker{}", c.emulate_ranks, rows, rows == 1 ? "" : "s",
                                    rows == 1 ? "s" : "", rows, rows == 1 ? "" : "s"));
  }
  if (c.learning_rate > 0) return "";
  const double n2 = data::max_row_norm2(d.train);
  c.learning_rate = n2 > 0 ? 1.0 / n2 : 1.0;
  return fmt::format("learning rate {:g} = 1 / max squared row norm ({:g}) of the scaled training rows", c.learning_rate,
                     n2);
}

kernel::layout choose_layout(const config& c, const data::dataset& d, int outputs, bool avx2) {
  if (c.layout == layout_choice::dense) return kernel::layout::dense;
  if (c.layout == layout_choice::csr) return kernel::layout::csr;
  const double cells = static_cast<double>(d.rows()) * static_cast<double>(d.dims);
  const double density = cells > 0 ? static_cast<double>(d.nnz()) / cells : 0.0;
  if (density >= 0.5) return kernel::layout::dense;
  const bool plain_runner = c.mode == run_mode::serial || c.mode == run_mode::round_robin ||
                            (c.mode == run_mode::async && c.replicas == replica_mode::worker);
  const bool avx2_loop = c.weight_precision == precision::float32 && outputs == 1 && avx2 &&
                         d.dims <= kernel::max_factor_dims && plain_runner;
  return avx2_loop && density >= 1.0 / 6.0 ? kernel::layout::dense : kernel::layout::csr;
}

}  // namespace hogwild
