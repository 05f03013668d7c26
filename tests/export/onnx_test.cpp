// `export --to onnx`, verified by running it: for every layer type and both
// tasks, the file passes ONNX's own checker (python3-onnx, with shape
// inference) and ONNX Runtime (onnxruntime-node) answers as our Predictor
// does, raw inputs in, probabilities or values out.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/job_reader.hpp"
#include "export/export.hpp"
#include "export/export_support.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

class OnnxExport : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxExport, RunsInOnnxRuntimeAsOurPredictorDoes) {
  const std::string name = GetParam();
  TempDir dir(name);
  const test::ModelCase c = test::make_case(name, dir.path());
  ASSERT_FALSE(HasFailure());
  const fs::path file = dir / "model.onnx";
  export_model(c.model, ExportKind::onnx, file, "en");

  const std::string check =
      "import json, sys, onnx\n"
      "m = onnx.load(sys.argv[1])\n"
      "onnx.checker.check_model(m, full_check=True)\n"
      "dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]\n"
      "print(json.dumps({'ir': m.ir_version, 'opset': [o.version for o in m.opset_import],\n"
      "  'inputs': [[i.name, dims(i)] for i in m.graph.input],\n"
      "  'outputs': [[o.name, dims(o)] for o in m.graph.output],\n"
      "  'meta': {p.key: p.value for p in m.metadata_props}}))\n";
  const test::Ran checked = test::run({test::python(), "-c", check, file.string()}, test::python_env());
  ASSERT_EQ(checked.status, 0) << checked.err;
  const auto facts = nlohmann::json::parse(checked.out);
  EXPECT_EQ(facts["ir"], 8);
  EXPECT_EQ(facts["opset"], nlohmann::json::array({17}));
  nlohmann::json in_dims = {"N"}, out_dims = {"N"};
  for (const int64_t d : input_shape(c.model.job)) in_dims.push_back(d);
  const bool classes = c.model.job.model.task == "classification";
  out_dims.push_back(classes ? static_cast<int64_t>(c.model.classes.size()) : 1);
  EXPECT_EQ(facts["inputs"], nlohmann::json::array({{"input", in_dims}}));
  EXPECT_EQ(facts["outputs"], nlohmann::json::array({{"output", out_dims}}));
  EXPECT_EQ(facts["meta"]["task"], c.model.job.model.task);

  // Every asked sample in one batch.
  nlohmann::json in = {{"shape", in_dims}, {"data", nlohmann::json::array()}};
  in["shape"][0] = c.asked.size();
  std::vector<float> all;
  for (const auto& a : c.asked) all.insert(all.end(), a.raw.begin(), a.raw.end());
  for (const float v : all) in["data"].push_back(v);
  test::write_text(dir / "inputs.json", in.dump());
  const test::Ran r =
      test::run({AISB_NODE, AISB_EXPORT_TESTS "/run_onnx.js", file.string(), (dir / "inputs.json").string()},
                {{"NODE_PATH", AISB_ONNXRUNTIME "/node_modules"}});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto got = nlohmann::json::parse(r.out);
  EXPECT_EQ(got["inputs"], nlohmann::json::array({"input"}));
  EXPECT_EQ(got["outputs"], nlohmann::json::array({"output"}));
  const size_t k = out_dims[1].get<size_t>();
  ASSERT_EQ(got["dims"], nlohmann::json::array({c.asked.size(), k}));
  Predictor ours(c.model);
  const auto expected = ours.predict(all);
  ASSERT_EQ(expected.size(), c.asked.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string where = name + " sample " + std::to_string(i) + " (" + c.asked[i].label + ")";
    if (classes) {
      for (size_t j = 0; j < k; ++j) {
        EXPECT_NEAR(got["data"][i * k + j].get<double>(), expected[i].probabilities[j], 1e-5) << where;
      }
    } else {
      const double v = expected[i].value;
      EXPECT_NEAR(got["data"][i].get<double>(), v, 1e-5 * std::max(1.0, std::fabs(v))) << where;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryLayer, OnnxExport, ::testing::ValuesIn(test::case_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace aisb
