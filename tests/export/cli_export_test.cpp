// `aisandbox-cli export MODEL --to pytorch|onnx|notebook -o PATH`: what it
// writes and its exit codes (SPEC.md section 1: 0 done, 1 bad input, 2 bad
// usage).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/trained_model.hpp"
#include "export/export_support.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

class CliExport : public ::testing::Test {
 protected:
  void SetUp() override {
    c_ = test::make_case("dense_points", dir_.path());
    model_ = (dir_ / "xor.aimodel").string();
    test::write_text(model_, model_file_text(c_.model));
  }

  static test::Ran cli(std::vector<std::string> args) {
    args.insert(args.begin(), AISB_CLI);
    return test::run(args);
  }

  TempDir dir_{"cli"};
  test::ModelCase c_;
  std::string model_;
};

TEST_F(CliExport, WritesEachKindAndExitsZero) {
  const test::Ran pt = cli({"export", model_, "--to", "pytorch", "-o", (dir_ / "pt").string(), "--lang", "ko"});
  ASSERT_EQ(pt.status, 0) << pt.err;
  EXPECT_TRUE(fs::is_regular_file(dir_ / "pt" / "model.safetensors"));
  EXPECT_NE(test::read_bytes(dir_ / "pt" / "model.py").find("# 신경망이 무엇으로 학습했는지"), std::string::npos);
  const test::Ran onnx = cli({"export", model_, "--to", "onnx", "-o", (dir_ / "m.onnx").string()});
  ASSERT_EQ(onnx.status, 0) << onnx.err;
  EXPECT_GT(fs::file_size(dir_ / "m.onnx"), 100u);
  const test::Ran nb = cli({"export", model_, "--to", "notebook", "-o", (dir_ / "m.ipynb").string()});
  ASSERT_EQ(nb.status, 0) << nb.err;
  EXPECT_GT(fs::file_size(dir_ / "m.ipynb"), 1000u);

  // The exported model.py answers as `predict --json` does, line for line.
  const std::string rows = (dir_ / "rows.csv").string();
  test::write_text(rows, "x1,x2\n1,2\n-3,0.5\n");
  const test::Ran ours = cli({"predict", model_, rows, "--json"});
  ASSERT_EQ(ours.status, 0) << ours.err;
  const test::Ran theirs = test::run({test::python(), (dir_ / "pt" / "model.py").string(), rows}, test::python_env());
  ASSERT_EQ(theirs.status, 0) << theirs.err;
  const auto a = test::json_lines(ours.out), b = test::json_lines(theirs.out);
  ASSERT_EQ(a.size(), 2u) << ours.out;
  ASSERT_EQ(b.size(), 2u) << theirs.out;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["input"], b[i]["input"]);
    EXPECT_EQ(a[i]["class"], b[i]["class"]);
    for (const auto& [name, p] : a[i]["probabilities"].items()) {
      EXPECT_NEAR(p.get<double>(), b[i]["probabilities"][name].get<double>(), 1e-5) << name;
    }
  }
}

TEST_F(CliExport, ABrokenModelFileIsBadInput) {
  const std::string text = test::read_bytes(model_);
  const std::string cut = (dir_ / "cut.aimodel").string();
  test::write_text(cut, text.substr(0, text.size() / 2));
  const test::Ran r = cli({"export", cut, "--to", "onnx", "-o", (dir_ / "cut.onnx").string()});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("cut.aimodel"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "cut.onnx"));
}

TEST_F(CliExport, APlaceItCannotWriteIsBadInput) {
  test::write_text(dir_ / "a-file", "x");
  const test::Ran r = cli({"export", model_, "--to", "notebook", "-o", (dir_ / "a-file" / "m.ipynb").string()});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  const test::Ran folder = cli({"export", model_, "--to", "pytorch", "-o", (dir_ / "a-file").string()});
  EXPECT_EQ(folder.status, 1) << folder.err;
}

TEST_F(CliExport, AnUnknownKindIsBadUsage) {
  const test::Ran r = cli({"export", model_, "--to", "keras", "-o", (dir_ / "m.keras").string()});
  EXPECT_EQ(r.status, 2) << r.err;
  const test::Ran no_output = cli({"export", model_, "--to", "onnx"});
  EXPECT_EQ(no_output.status, 2) << no_output.err;
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

// A lesson's own sequence CSV as it ships: four stations' rows interleaved,
// empty cells, CP949. predict and model.py cut windows as training did (one
// station at a time, in time order, rows with empty cells left out) and give
// the same answers for the same rows.
TEST(CliPredict, ASequenceLessonsOwnCsvPredictsByGroupAsItTrained) {
  TempDir dir("pohang");
  const std::string model = (dir / "air.aimodel").string();
  const std::string lesson = std::string(AISB_SOURCE_DIR) + "/lessons/industry/05-pohang-air-csv.toml";
  const std::string csv = std::string(AISB_SOURCE_DIR) + "/lessons/industry/data/pohang-air.csv";
  test::Ran r = test::run({AISB_CLI, "train", lesson, "--epochs", "1", "--model", model});
  ASSERT_EQ(r.status, 0) << r.err;
  const test::Ran ours = test::run({AISB_CLI, "predict", model, csv, "--json"});
  ASSERT_EQ(ours.status, 0) << ours.err;
  EXPECT_NE(ours.err.find("rows with empty cells left out"), std::string::npos) << ours.err;
  const auto lines = test::json_lines(ours.out);
  Diagnostics diags;
  const TrainedModel m = read_model_file(model, diags);
  ASSERT_FALSE(diags.has_errors());
  // One window per row past the first T-1 of each of the four stations.
  const int64_t window = m.job.dataset.window;
  ASSERT_GT(lines.size(), 100u);
  EXPECT_LE(static_cast<int64_t>(lines.size()), m.job.dataset.samples + 4 * (m.job.dataset.horizon)) << lines.size();
  std::set<std::string> labels;
  for (const auto& l : lines) EXPECT_TRUE(labels.insert(l["input"].get<std::string>()).second);
  EXPECT_GT(window, 1);

  r = test::run({AISB_CLI, "export", model, "--to", "pytorch", "-o", (dir / "pt").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const test::Ran theirs = test::run({test::python(), (dir / "pt" / "model.py").string(), csv}, test::python_env());
  ASSERT_EQ(theirs.status, 0) << theirs.err;
  const auto py = test::json_lines(theirs.out);
  ASSERT_EQ(py.size(), lines.size());
  for (size_t i = 0; i < py.size(); ++i) {
    EXPECT_EQ(py[i]["input"], lines[i]["input"]);
    const double a = py[i]["value"], b = lines[i]["value"];
    EXPECT_NEAR(a, b, 1e-5 * std::max(1.0, std::abs(b))) << i;
  }
}

TEST(CliPredict, ANonNumberIsNamedAtItsOwnRow) {
  TempDir dir("rows");
  test::ModelCase c = test::make_case("dense_points", dir.path());
  const std::string model = (dir / "xor.aimodel").string();
  test::write_text(model, model_file_text(c.model));
  test::write_text(dir / "r.csv", "x1,x2\n1,2\n3,4\n5,oops\n");
  const test::Ran r = test::run({AISB_CLI, "predict", model, (dir / "r.csv").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("r.csv:3: column 'x2' holds 'oops', not a number"), std::string::npos) << r.err;
  // A folder to a table model, and an empty folder, are errors too.
  fs::create_directories(dir / "empty");
  EXPECT_EQ(test::run({AISB_CLI, "predict", model, (dir / "empty").string()}).status, 1);
}

}  // namespace
}  // namespace aisb
