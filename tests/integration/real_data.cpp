// Quality floors on the real datasets in ../shared/data with the DEFAULT hyper-parameters (as the
// command line resolves them), serial and async with 2 workers.
//   real_data_check CASE serial|async
// Exit 0 pass, 1 fail, 77 = skipped (data directory absent; CTest SKIP_RETURN_CODE).
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "coordinator/cli.hpp"
#include "coordinator/model_io.hpp"
#include "coordinator/trainer.hpp"
#include "datasets/loader.hpp"
#include "shared/error.hpp"

using namespace hogwild;

namespace {

const std::string root = HOGWILD_REAL_DATA_DIR;

bool present(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

// mode "": no --mode/--workers (scoring with --load-model takes no training flags).
config parse(std::vector<std::string> args, const std::string& mode) {
  args.insert(args.begin(), "hogwild-coordinator");
  args.insert(args.end(), "--quiet");
  if (!mode.empty()) args.insert(args.end(), {"--mode", mode});
  if (mode == "async") args.insert(args.end(), {"--workers", "2"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  config c;
  parse_cli(static_cast<int>(argv.size()), argv.data(), c);
  return c;
}

int accuracy_floor(const std::string& name, std::vector<std::string> args, const std::string& mode, double floor) {
  const config c = parse(std::move(args), mode);
  const auto r = train(c, stdout);
  const double acc = 100.0 * (1.0 - r.history.back().test_error);
  fmt::print("{} {}: test accuracy {:.2f}% (floor {:.1f}%)\n", name, mode, acc, floor);
  return acc >= floor ? 0 : 1;
}

// Closed-form least squares (no intercept, like the model) on the same training rows, by the
// normal equations (XᵀX) w = Xᵀy solved with Gaussian elimination; returns the MSE on `held`.
double closed_form_mse(const data::dataset& tr, const data::dataset& held) {
  const std::size_t D = tr.dims;
  std::vector<double> A(D * D, 0.0), b(D, 0.0);
  for (std::size_t i = 0; i < tr.rows(); ++i)
    for (auto p = tr.row_ptr[i]; p < tr.row_ptr[i + 1]; ++p) {
      b[tr.idx[p]] += static_cast<double>(tr.val[p]) * tr.labels[i];
      for (auto q = tr.row_ptr[i]; q < tr.row_ptr[i + 1]; ++q)
        A[tr.idx[p] * D + tr.idx[q]] += static_cast<double>(tr.val[p]) * tr.val[q];
    }
  for (std::size_t k = 0; k < D; ++k) {
    std::size_t piv = k;
    for (std::size_t i = k + 1; i < D; ++i)
      if (std::abs(A[i * D + k]) > std::abs(A[piv * D + k])) piv = i;
    for (std::size_t j = 0; j < D; ++j) std::swap(A[k * D + j], A[piv * D + j]);
    std::swap(b[k], b[piv]);
    for (std::size_t i = k + 1; i < D; ++i) {
      const double f = A[i * D + k] / A[k * D + k];
      for (std::size_t j = k; j < D; ++j) A[i * D + j] -= f * A[k * D + j];
      b[i] -= f * b[k];
    }
  }
  std::vector<double> w(D);
  for (std::size_t k = D; k-- > 0;) {
    double s = b[k];
    for (std::size_t j = k + 1; j < D; ++j) s -= A[k * D + j] * w[j];
    w[k] = s / A[k * D + k];
  }
  double se = 0.0;
  for (std::size_t i = 0; i < held.rows(); ++i) {
    double s = 0.0;
    for (auto p = held.row_ptr[i]; p < held.row_ptr[i + 1]; ++p) s += w[held.idx[p]] * held.val[p];
    se += (s - held.labels[i]) * (s - held.labels[i]);
  }
  return se / static_cast<double>(held.rows());
}

int run(const std::string& which, const std::string& mode) {
  const std::string a9a = root + "/a9a", ij = root + "/ijcnn1", re = root + "/reuters21578-lasvm",
                    fm = root + "/fashion-mnist", cf = root + "/cifar10-bin-subset", ab = root + "/abalone";
  if (which == "a9a") return accuracy_floor(which, {"--train", a9a + "/a9a", "--test", a9a + "/a9a.t"}, mode, 84.5);
  if (which == "ijcnn1")
    return accuracy_floor(which, {"--train", ij + "/ijcnn1.trn.gz", "--test", ij + "/ijcnn1.tst.gz"}, mode, 91.5);
  if (which == "reuters")
    return accuracy_floor(which, {"--train", re + "/reuters.trn.gz", "--test", re + "/reuters.tst.gz"}, mode, 97.0);
  if (which == "fashion-mnist")
    return accuracy_floor(which, {"--train", fm + "/train-images-idx3-ubyte.gz", "--test", fm + "/t10k-images-idx3-ubyte.gz",
                                  "--model", "multiclass-svm"}, mode, 83.0);
  // CIFAR subset: 1,000 test rows of a hard 10-class problem, so an async run's interleaving moves
  // its accuracy by points (serial 35.3 %; async 33.8-36.0 % in 13 runs, the lowest in a loaded CI
  // run): async gets 2 points more room. Chance is 10 %; a broken run lands far below either floor.
  if (which == "cifar10")
    return accuracy_floor(which, {"--train", cf + "/data_batch_1.first3000.bin", "--test", cf + "/test_batch.first1000.bin",
                                  "--model", "multiclass-svm"}, mode, mode == "async" ? 32.0 : 34.0);
  if (which == "abalone") {
    const config c = parse({"--train", ab + "/abalone_scale", "--model", "least-squares", "--validation-fraction", "0.25"}, mode);
    const auto r = train(c, stdout);
    const auto split = data::load_files(c.files, data::label_task::regression);
    const double closed = closed_form_mse(split.train, split.validation);
    const double sgd = r.history.back().validation_error;
    fmt::print("abalone {}: validation MSE {:.4f}, closed form {:.4f} ({:+.2f}%), {} validation rows\n", mode, sgd, closed,
               100.0 * (sgd / closed - 1.0), split.validation.rows());
    return sgd <= 1.05 * closed ? 0 : 1;
  }
  if (which == "save-load") {
    // a9a: train, save, score the saved model with --load-model: same test error, same predictions count.
    const auto dir = std::filesystem::temp_directory_path();
    const std::string model = (dir / fmt::format("hw-a9a-{}.model", ::getpid())).string();
    const std::string preds = (dir / fmt::format("hw-a9a-{}.pred", ::getpid())).string();
    const config c = parse({"--train", a9a + "/a9a", "--test", a9a + "/a9a.t", "--save-model", model}, mode);
    const auto r = train(c, nullptr);
    const config l = parse({"--load-model", model, "--test", a9a + "/a9a.t", "--predictions", preds}, "");
    const auto s = train(l, stdout);
    std::size_t lines = 0, plus = 0;
    if (std::FILE* f = std::fopen(preds.c_str(), "r")) {
      char buf[64];
      while (std::fgets(buf, sizeof buf, f)) {
        ++lines;
        plus += std::string(buf) == "1\n";
      }
      std::fclose(f);
    }
    std::filesystem::remove(model);
    std::filesystem::remove(preds);
    fmt::print("save-load: trained test error {:.6f}, loaded {:.6f}; {} predictions ({} positive)\n",
               r.history.back().test_error, s.history.back().test_error, lines, plus);
    return r.history.back().test_error == s.history.back().test_error && lines == 16281 && plus > 0 ? 0 : 1;
  }
  fmt::print(stderr, "unknown case {}\n", which);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: real_data_check CASE serial|async\n");
    return 2;
  }
  if (!present(root)) {
    fmt::print("SKIP: real data directory {} is absent\n", root);
    return 77;
  }
  try {
    return run(argv[1], argv[2]);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
