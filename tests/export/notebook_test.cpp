// `export --to notebook`, verified by running it top to bottom in a real
// Jupyter kernel (nbclient, Debian's python3-nbclient and ipykernel): the
// shipped digits CNN lesson and a regression on a class's own CSV. The
// accuracy the notebook measures on the test set it carries is the model
// file's own; without the data it says so and still runs.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include <nlohmann/json.hpp>

#include "export/export.hpp"
#include "export/export_support.hpp"
#include "lesson/lesson.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// What the notebook's cells printed, and how many pictures they showed.
struct Executed {
  std::string printed;
  int pictures = -1;
};

Executed execute(const fs::path& notebook, const TempDir& dir) {
  auto env = test::python_env();
  env.erase("MPLBACKEND");  // the kernel's inline backend, which shows pictures as cell outputs
  env["JUPYTER_RUNTIME_DIR"] = (dir / "jupyter").string();
  env["JUPYTER_DATA_DIR"] = (dir / "jupyter").string();
  env["IPYTHONDIR"] = (dir / "ipython").string();
  env["MPLCONFIGDIR"] = (dir / "matplotlib").string();
  const test::Ran r =
      test::run({test::python(), AISB_EXPORT_TESTS "/run_notebook.py", notebook.string(), dir.path().string()}, env);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  Executed e;
  e.printed = r.out;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("pictures: (\\d+)"))) e.pictures = std::stoi(m[1]);
  return e;
}

// The number after `label` in the printed text, or NaN.
double number_after(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return std::nan("");
  return std::stod(text.substr(at + label.size()));
}

TEST(NotebookExport, TheDigitsCnnLessonRunsTopToBottomAndScoresAsTheModelFileSays) {
  TempDir dir("notebook-digits");
  LessonResult lesson = load_lesson(fs::path(AISB_SOURCE_DIR) / "lessons" / "images" / "02-digits-cnn.toml");
  ASSERT_TRUE(lesson.ok());
  JobSpec job = lesson.lesson.job;
  job.training.epochs = 2;
  const TrainedModel model = test::train_model(job);
  ASSERT_TRUE(model.has_metrics && model.metrics.test_accuracy);
  const fs::path file = dir / "digits.ipynb";
  export_model(model, ExportKind::notebook, file, "ko");
  const auto nb = nlohmann::json::parse(test::read_bytes(file));
  EXPECT_EQ(nb["nbformat"], 4);
  EXPECT_NE(nb["cells"][0]["source"][0].get<std::string>().find("학습시킨 신경망"), std::string::npos);

  const Executed e = execute(file, dir);
  const double accuracy = number_after(e.printed, "시험 세트 정확도: ");
  EXPECT_NEAR(accuracy, *model.metrics.test_accuracy, 1e-6) << e.printed;
  EXPECT_NE(e.printed.find("시험 샘플 200개"), std::string::npos) << e.printed;
  EXPECT_NE(e.printed.find("모델 파일의 시험 정확도: "), std::string::npos) << e.printed;
  EXPECT_GE(e.pictures, 2) << "the first test image and the curves";
}

TEST(NotebookExport, ARegressionOnOwnDataCarriesItsTestSetAndItsMae) {
  TempDir dir("notebook-table");
  const test::ModelCase c = test::make_case("table_regression", dir.path());
  ASSERT_TRUE(c.model.has_metrics && c.model.metrics.test_mae);
  const fs::path file = dir / "table.ipynb";
  export_model(c.model, ExportKind::notebook, file, "en", c.data_dir);
  const Executed e = execute(file, dir);
  const double mae = number_after(e.printed, "test MAE (mean absolute error): ");
  const double expected = *c.model.metrics.test_mae;
  EXPECT_NEAR(mae, expected, 1e-4 * std::max(1.0, expected)) << e.printed;
  EXPECT_NE(e.printed.find("20 test samples"), std::string::npos) << e.printed;
  EXPECT_EQ(e.pictures, 1) << "the curves";
}

TEST(NotebookExport, WithoutItsDataTheNotebookSaysSoAndStillRuns) {
  TempDir dir("notebook-nodata");
  const test::ModelCase c = test::make_case("lstm_csv_classes", dir.path());
  // Not given, and given where the data is not the same.
  const fs::path elsewhere = dir / "elsewhere";
  test::write_text(elsewhere / "data.csv", "time,temp,humid,지역,yield,grade\n1,2,3,서울,4,A\n");
  for (const auto& data_dir : {fs::path(), elsewhere}) {
    const fs::path file = dir / "nodata.ipynb";
    export_model(c.model, ExportKind::notebook, file, "en", data_dir);
    const Executed e = execute(file, dir);
    EXPECT_NE(e.printed.find("The test set is not included"), std::string::npos) << e.printed;
    EXPECT_EQ(e.printed.find("test accuracy:"), std::string::npos) << e.printed;
    EXPECT_EQ(e.pictures, 1) << "the curves are in the model file";
  }
}

}  // namespace
}  // namespace aisb
