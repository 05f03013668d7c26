// `export --to pytorch`, verified by running it: for every layer type and
// both tasks, model.py (Debian's PyTorch) reads the inputs a student gives
// (CSV rows, images, folders) and prints what our own Predictor answers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "export/export.hpp"
#include "export/export_support.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// The files of a student's own data are in Korean classrooms: those cases
// export with Korean comments.
std::string language_of(const std::string& name) {
  return name.find("table") != std::string::npos || name.find("csv") != std::string::npos ||
                 name.find("own") != std::string::npos
             ? "ko"
             : "en";
}

class PyTorchExport : public ::testing::TestWithParam<std::string> {};

TEST_P(PyTorchExport, ModelPyPrintsWhatOurPredictorSays) {
  const std::string name = GetParam();
  TempDir dir(name);
  const test::ModelCase c = test::make_case(name, dir.path());
  ASSERT_FALSE(HasFailure());
  const fs::path out = dir / "exported";
  export_model(c.model, ExportKind::pytorch, out, language_of(name));
  ASSERT_TRUE(fs::is_regular_file(out / "model.py"));
  ASSERT_TRUE(fs::is_regular_file(out / "model.safetensors"));

  std::vector<std::string> argv = {test::python(), (out / "model.py").string()};
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  const test::Ran r = test::run(argv, test::python_env());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = test::json_lines(r.out);
  ASSERT_EQ(lines.size(), c.asked.size()) << r.out << r.err;
  Predictor ours(c.model);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto p = ours.predict(c.asked[i].raw);
    ASSERT_EQ(p.size(), 1u);
    test::expect_matches(lines[i], c.asked[i], p[0], c.model, name + " line " + std::to_string(i + 1));
  }
  // Compact, as the contract says: no spaces after separators, UTF-8 as is.
  EXPECT_EQ(r.out.find("\": "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\\u"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(EveryLayer, PyTorchExport, ::testing::ValuesIn(test::case_names()),
                         [](const auto& info) { return info.param; });

TEST(PyTorchExport, WithoutInputsItShowsOnePredictionAndItsUsage) {
  TempDir dir("example");
  const test::ModelCase c = test::make_case("lstm_battery", dir.path());
  export_model(c.model, ExportKind::pytorch, dir / "out", "ko");
  const test::Ran r = test::run({test::python(), (dir / "out" / "model.py").string()}, test::python_env());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("신경망의 답: "), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("사용법"), std::string::npos) << r.err;
  const std::string text = test::read_bytes(dir / "out" / "model.py");
  EXPECT_NE(text.find("nn.LSTM(3, 6, batch_first=True),  # layers[0]: lstm 층"), std::string::npos);
  EXPECT_NE(text.find("self.layers = nn.ModuleList(["), std::string::npos);
  EXPECT_NE(text.find("self.output = nn.Linear(4, 1)"), std::string::npos);
  EXPECT_EQ(text.find("import safetensors"), std::string::npos);
}

TEST(PyTorchExport, ItsStateDictHasOurNamesAndItStandardisesRawInputs) {
  TempDir dir("state");
  const test::ModelCase c = test::make_case("table_regression", dir.path());
  export_model(c.model, ExportKind::pytorch, dir / "out", "en");
  // Loaded as a module, as a student's own script would.
  const std::string script =
      "import json, sys\n"
      "sys.path.insert(0, sys.argv[1])\n"
      "import model\n"
      "m = model.load_model()\n"
      "print(json.dumps({'keys': list(m.state_dict().keys()), 'mean': m.input_mean.tolist(),\n"
      "                  'target': [float(m.target_mean), float(m.target_scale)]}))\n";
  const test::Ran r = test::run({test::python(), "-c", script, (dir / "out").string()}, test::python_env());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> expected;
  for (const auto& w : c.model.weights) expected.push_back(w.name);
  for (const char* n : {"input_mean", "input_scale", "target_mean", "target_scale"}) expected.emplace_back(n);
  std::vector<std::string> keys = j["keys"];
  std::sort(keys.begin(), keys.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(keys, expected);
  const auto& st = c.model.standardization;
  ASSERT_EQ(j["mean"].size(), st.mean.size());
  for (size_t i = 0; i < st.mean.size(); ++i) EXPECT_EQ(j["mean"][i].get<float>(), st.mean[i]);
  EXPECT_EQ(j["target"][0].get<float>(), st.target_mean);
  EXPECT_EQ(j["target"][1].get<float>(), st.target_scale);
}

TEST(PyTorchExport, ModelPySaysWhatIsWrongWithAnInput) {
  TempDir dir("wrong");
  const test::ModelCase c = test::make_case("table_classification", dir.path());
  export_model(c.model, ExportKind::pytorch, dir / "out", "en");
  const std::string py = (dir / "out" / "model.py").string();
  test::write_text(dir / "no-column.csv", "temp,humid\n1,2\n");
  test::write_text(dir / "text.csv", "temp,humid,지역\n1,2,서울\nwarm,3,부산\n");
  std::vector<uint8_t> px(16 * 3, 128);
  test::write_image(dir / "x.png", 4, 4, 3, px);
  struct Case {
    std::string input, says;
  };
  for (const Case& k : std::vector<Case>{{(dir / "missing.csv").string(), "no such file"},
                                         {(dir / "no-column.csv").string(), "no column '지역"},
                                         {(dir / "text.csv").string(), "text.csv:2: column 'temp' holds 'warm'"},
                                         {(dir / "x.png").string(), "does not read images"}}) {
    const test::Ran r = test::run({test::python(), py, k.input}, test::python_env());
    EXPECT_EQ(r.status, 1) << k.input << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(k.says), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << "nothing is printed before every input is read";
  }
}

TEST(Safetensors, TheHeaderNamesEveryTensorInOrderWithoutGaps) {
  TempDir dir("safetensors");
  const test::ModelCase c = test::make_case("cnn_regression", dir.path());
  export_model(c.model, ExportKind::pytorch, dir / "out", "en");
  const std::string bytes = test::read_bytes(dir / "out" / "model.safetensors");
  ASSERT_GT(bytes.size(), 8u);
  uint64_t n = 0;
  for (int b = 7; b >= 0; --b) n = n << 8 | static_cast<unsigned char>(bytes[static_cast<size_t>(b)]);
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ((8 + n) % 8, 0u) << "tensors start 8-byte aligned";
  const auto header = nlohmann::ordered_json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  EXPECT_EQ(header["__metadata__"]["task"], "regression");
  uint64_t at = 0;
  size_t tensors = 0;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    ++tensors;
    EXPECT_EQ(info["dtype"], "F32") << name;
    EXPECT_EQ(info["data_offsets"][0].get<uint64_t>(), at) << name;
    uint64_t elements = 1;
    for (const auto& d : info["shape"]) elements *= d.get<uint64_t>();
    at += 4 * elements;
    EXPECT_EQ(info["data_offsets"][1].get<uint64_t>(), at) << name;
  }
  EXPECT_EQ(8 + n + at, bytes.size());
  EXPECT_EQ(tensors, c.model.weights.size() + c.model.buffers.size() + 2);  // + target mean and scale
}

TEST(Export, SaysWhyItCannotWrite) {
  TempDir dir("cannot");
  const test::ModelCase c = test::make_case("dense_points", dir.path());
  test::write_text(dir / "a-file", "x");
  const auto fails = [&](ExportKind kind, const fs::path& out, const std::string& says,
                         const TrainedModel* model = nullptr) {
    try {
      export_model(model != nullptr ? *model : c.model, kind, out, "en");
      ADD_FAILURE() << out << " was written";
    } catch (const ExportError& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  fails(ExportKind::pytorch, dir / "a-file", "it is a file");
  fails(ExportKind::pytorch, dir / "a-file" / "below", "cannot make the folder");
  fails(ExportKind::onnx, dir / "nowhere" / "m.onnx", "does not exist");
  fails(ExportKind::notebook, dir.path(), "it is a folder");
  TrainedModel broken = c.model;
  broken.weights.pop_back();
  fails(ExportKind::onnx, dir / "m.onnx", "no tensor 'output.bias'", &broken);
  EXPECT_FALSE(fs::exists(dir / "m.onnx"));
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().string().find(".part"), std::string::npos) << "no half-written file is left: " << e.path();
  }
}

}  // namespace
}  // namespace aisb
