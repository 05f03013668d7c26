#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "core/job_reader.hpp"
#include "core/messages.hpp"
#include "support/job_fixtures.hpp"

namespace aisb {
namespace {

const Diagnostic* find(const Diagnostics& d, const std::string& path) {
  for (const auto& x : d.all()) {
    if (x.path == path) return &x;
  }
  return nullptr;
}

std::string dump(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.all()) s += "  " + x.path + ": " + x.message + "\n";
  return s;
}

TEST(Validator, AcceptsAGoodJob) {
  const Diagnostics d = validate(test::xor_job());
  EXPECT_FALSE(d.has_errors()) << dump(d);
  EXPECT_TRUE(d.all().empty()) << dump(d);
}

TEST(Validator, JsonRoundTripKeepsEverySetting) {
  JobSpec j = test::xor_job();
  j.training.optimizer = "adam";
  j.training.regularization = "l2";
  j.training.regularization_rate = 0.001;
  j.training.seed = 1234567890123ull;
  j.model.inputs = {"x1", "x2", "x1_sq", "sin_x2"};
  j.model.layers.push_back({.type = "dropout", .rate = 0.25});
  j.files["data/a.csv"] = "sha256:abc";
  Diagnostics d;
  const JobSpec back = read_job(to_json(j), d);
  EXPECT_FALSE(d.has_errors()) << dump(d);
  EXPECT_EQ(back, j);
}

struct Case {
  std::string name;
  std::function<void(json&)> mutate;
  std::string path;
  std::string message_part;
  Severity severity = Severity::error;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class Rules : public ::testing::TestWithParam<Case> {};

TEST_P(Rules, AnswerWithTheKeyPath) {
  const Case& c = GetParam();
  json j = to_json(test::xor_job());
  c.mutate(j);
  Diagnostics d;
  read_job(j, d);
  const Diagnostic* hit = find(d, c.path);
  ASSERT_NE(hit, nullptr) << "expected a diagnostic at " << c.path << ", got:\n" << dump(d);
  EXPECT_NE(hit->message.find(c.message_part), std::string::npos) << hit->message;
  EXPECT_EQ(hit->severity, c.severity);
}

const json layer_conv = {{"type", "conv2d"}, {"filters", 4}, {"kernel", 3}};

INSTANTIATE_TEST_SUITE_P(
    Validator, Rules,
    ::testing::Values(
        Case{"format", [](json& j) { j["format"] = 2; }, "format", "unsupported format 2"},
        Case{"format_missing", [](json& j) { j.erase("format"); }, "format", "required"},
        Case{"lesson_id", [](json& j) { j["lesson"] = "Bad Id"; }, "lesson", "not a lesson id"},
        Case{"unknown_top", [](json& j) { j["trainig"] = json::object(); }, "trainig", "did you mean 'training'"},
        Case{"source_missing", [](json& j) { j["dataset"].erase("source"); }, "dataset.source", "required"},
        Case{"source_typo", [](json& j) { j["dataset"]["source"] = "spirall"; }, "dataset.source",
             "did you mean 'spiral'"},
        Case{"images_need_size", [](json& j) { j["dataset"]["source"] = "images:photos"; }, "dataset.size",
             "required"},
        Case{"csv_needs_target", [](json& j) { j["dataset"]["source"] = "csv:data/a.csv"; }, "dataset.target",
             "required"},
        Case{"csv_bad_hash",
             [](json& j) {
               j["dataset"]["source"] = "csv:a.csv";
               j["dataset"]["target"] = "y";
               j["dataset"]["data_sha256"] = "../../etc/passwd";
             },
             "dataset.data_sha256", "64 lower-case hex"},
        Case{"csv_window_one",
             [](json& j) {
               j["dataset"]["source"] = "csv:a.csv";
               j["dataset"]["target"] = "y";
               j["dataset"]["window"] = 1;
             },
             "dataset.window", "plain table"},
        Case{"csv_horizon_without_window",
             [](json& j) {
               j["dataset"]["source"] = "csv:a.csv";
               j["dataset"]["target"] = "y";
               j["dataset"]["horizon"] = 3;
             },
             "dataset.horizon", "set 'window' too"},
        Case{"csv_missing_choice",
             [](json& j) {
               j["dataset"]["source"] = "csv:a.csv";
               j["dataset"]["target"] = "y";
               j["dataset"]["missing"] = "zero";
             },
             "dataset.missing", "drop"},
        Case{"facts_for_generators", [](json& j) { j["dataset"]["class_names"] = {"a", "b"}; }, "dataset.class_names",
             "only for csv and image-folder"},
        Case{"images_are_classes",
             [](json& j) {
               j["dataset"]["source"] = "images:photos";
               j["dataset"]["size"] = {32, 32};
               j["model"]["task"] = "regression";
             },
             "model.task", "is for classification"},
        Case{"source_escape", [](json& j) { j["dataset"]["source"] = "csv:../secret.csv"; }, "dataset.source",
             "must stay inside the lesson's folder"},
        Case{"source_absolute", [](json& j) { j["dataset"]["source"] = "images:/etc"; }, "dataset.source",
             "must stay inside"},
        Case{"samples_low", [](json& j) { j["dataset"]["samples"] = 0; }, "dataset.samples", "between 1 and 200000"},
        Case{"samples_high", [](json& j) { j["dataset"]["samples"] = 200001; }, "dataset.samples", "200000"},
        Case{"samples_type", [](json& j) { j["dataset"]["samples"] = "many"; }, "dataset.samples",
             "expected a whole number, got a string"},
        Case{"noise", [](json& j) { j["dataset"]["noise"] = 1.5; }, "dataset.noise", "at most 1"},
        Case{"test_fraction", [](json& j) { j["dataset"]["test_fraction"] = 0.01; }, "dataset.test_fraction",
             "at least 0.05"},
        Case{"csv_keys_elsewhere", [](json& j) { j["dataset"]["target"] = "y"; }, "dataset.target",
             "only for csv"},
        Case{"task_typo", [](json& j) { j["model"]["task"] = "clasification"; }, "model.task",
             "did you mean 'classification'"},
        Case{"task_vs_source", [](json& j) { j["model"]["task"] = "regression"; }, "model.task",
             "is for classification"},
        Case{"input_unknown", [](json& j) { j["model"]["inputs"] = {"x1", "x3"}; }, "model.inputs[1]",
             "unknown input 'x3'"},
        Case{"input_twice", [](json& j) { j["model"]["inputs"] = {"x1", "x1"}; }, "model.inputs[1]",
             "listed twice"},
        Case{"inputs_none", [](json& j) { j["model"]["inputs"] = json::array(); }, "model.inputs",
             "at least one"},
        Case{"units_zero", [](json& j) { j["model"]["layers"][0]["units"] = 0; }, "model.layers[0].units",
             "between 1 and 4096"},
        Case{"units_huge", [](json& j) { j["model"]["layers"][1]["units"] = 100000; }, "model.layers[1].units",
             "4096"},
        Case{"units_fraction", [](json& j) { j["model"]["layers"][0]["units"] = 4.5; }, "model.layers[0].units",
             "whole number"},
        Case{"units_missing", [](json& j) { j["model"]["layers"][0].erase("units"); }, "model.layers[0].units",
             "required"},
        Case{"activation", [](json& j) { j["model"]["layers"][0]["activation"] = "tanhh"; },
             "model.layers[0].activation", "did you mean 'tanh'"},
        Case{"layer_type", [](json& j) { j["model"]["layers"][1]["type"] = "dens"; }, "model.layers[1].type",
             "did you mean 'dense'"},
        Case{"layer_key", [](json& j) { j["model"]["layers"][0]["unitz"] = 3; }, "model.layers[0].unitz",
             "did you mean 'units'"},
        Case{"too_many_layers",
             [](json& j) {
               for (int i = 0; i < 70; ++i) j["model"]["layers"].push_back({{"type", "dense"}, {"units", 2}});
             },
             "model.layers", "at most 64 layers"},
        Case{"conv_on_points", [](json& j) { j["model"]["layers"][0] = layer_conv; }, "model.layers[0]",
             "needs an image input"},
        Case{"lstm_on_points", [](json& j) { j["model"]["layers"][0] = {{"type", "lstm"}, {"units", 4}}; },
             "model.layers[0]", "needs a sequence input"},
        Case{"same_even_kernel",
             [](json& j) {
               j["model"]["layers"][0] = {{"type", "conv2d"}, {"filters", 4}, {"kernel", 4}, {"padding", "same"}};
             },
             "model.layers[0].padding", "odd kernel"},
        Case{"dropout_rate", [](json& j) { j["model"]["layers"][0] = {{"type", "dropout"}, {"rate", 1.0}}; },
             "model.layers[0].rate", "at most 0.95"},
        Case{"optimizer", [](json& j) { j["training"]["optimizer"] = "adamw"; }, "training.optimizer",
             "use sgd, momentum or adam"},
        Case{"lr_zero", [](json& j) { j["training"]["learning_rate"] = 0; }, "training.learning_rate",
             "greater than 0"},
        Case{"lr_high", [](json& j) { j["training"]["learning_rate"] = 11; }, "training.learning_rate",
             "at most 10"},
        Case{"lr_missing", [](json& j) { j["training"].erase("learning_rate"); }, "training.learning_rate",
             "required"},
        Case{"batch", [](json& j) { j["training"]["batch_size"] = 2048; }, "training.batch_size", "1 and 1024"},
        Case{"epochs", [](json& j) { j["training"]["epochs"] = 100001; }, "training.epochs", "1 and 100000"},
        Case{"regularization", [](json& j) { j["training"]["regularization"] = "l3"; }, "training.regularization",
             "did you mean"},
        Case{"useless_rate", [](json& j) { j["training"]["regularization_rate"] = 0.1; },
             "training.regularization_rate", "no effect", Severity::warning},
        Case{"inputs_on_images",
             [](json& j) {
               j["dataset"]["source"] = "digits";
               j["model"]["layers"] = {{{"type", "flatten"}}};
             },
             "model.inputs", "remove 'inputs'"},
        Case{"dense_on_images", [](json& j) { j["dataset"]["source"] = "digits"; j["model"].erase("inputs"); },
             "model.layers[0]", "put a { type = \"flatten\" } layer before it"},
        Case{"data_too_big",
             [](json& j) {
               j["dataset"] = {{"source", "steel-defects"}, {"samples", 200000}};
               j["model"] = {{"task", "classification"}, {"layers", {{{"type", "flatten"}}}}};
             },
             "dataset.samples", "use at most 16384 samples"},
        Case{"too_many_parameters",
             [](json& j) {
               for (int i = 0; i < 3; ++i) {
                 j["model"]["layers"].push_back({{"type", "dense"}, {"units", 4096}, {"activation", "relu"}});
               }
             },
             "model.layers", "more than the 20000000 allowed"},
        Case{"too_much_memory",
             [](json& j) {
               j["dataset"] = {{"source", "digits"}, {"samples", 1000}};
               j["model"] = {{"task", "classification"},
                             {"layers",
                              {{{"type", "conv2d"}, {"filters", 1024}, {"kernel", 3}, {"padding", "same"}},
                               {{"type", "maxpool2d"}, {"size", 8}},
                               {{"type", "flatten"}}}}};
               j["training"]["batch_size"] = 1024;
             },
             "training.batch_size", "use a smaller batch or model"},
        Case{"table_type", [](json& j) { j["training"] = 5; }, "training", "expected a table, got an integer"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(Validator, ImageJobsTakeTheirShapeFromTheDataset) {
  JobSpec j = test::xor_job();
  j.dataset.source = "steel-defects";
  j.model.inputs.clear();
  j.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3},
                    {.type = "maxpool2d", .size = 2},
                    {.type = "flatten"}};
  const Diagnostics d = validate(j);
  EXPECT_FALSE(d.has_errors()) << dump(d);
  Diagnostics info_diags;
  const ModelInfo info = describe_model(j, info_diags);
  EXPECT_EQ(info.input, (Shape{1, 64, 64}));
  EXPECT_EQ(info.layers.back().out, (Shape{6}));
}

TEST(Validator, FileJobsTakeTheirShapeFromTheirFacts) {
  // A client's job names its data by hash and says what it holds; the
  // validator sizes the model from that alone (the center has no file to read).
  JobSpec j = test::xor_job();
  j.dataset.source = "images:photos";
  j.dataset.size = {24, 32};
  j.dataset.channels = 3;
  j.dataset.data_sha256 = std::string(64, 'a');
  j.dataset.class_names = {"ok", "dent", "rust"};
  j.model.inputs.clear();
  j.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3}, {.type = "flatten"}};
  Diagnostics d = validate(j);
  EXPECT_FALSE(d.has_errors()) << dump(d);
  Diagnostics info_diags;
  ModelInfo info = describe_model(j, info_diags);
  EXPECT_EQ(info.input, (Shape{3, 24, 32}));
  EXPECT_EQ(info.layers.back().out, (Shape{3}));
  EXPECT_EQ(info.layers.front().params, 4 * 3 * 3 * 3 + 4);

  JobSpec t = test::xor_job();
  t.dataset.source = "csv:data/air.csv";
  t.dataset.target = "pm25";
  t.dataset.window = 12;
  t.dataset.horizon = 3;
  t.dataset.group = "station";
  t.dataset.data_sha256 = std::string(64, 'b');
  t.dataset.input_names = {"pm25", "temp", "wind", "station=A", "station=B"};
  t.model.task = "regression";
  t.model.inputs.clear();
  t.model.layers = {{.type = "lstm", .units = 8}};
  d = validate(t);
  EXPECT_FALSE(d.has_errors()) << dump(d);
  info = describe_model(t, info_diags);
  EXPECT_EQ(info.input, (Shape{12, 5}));
  // Unresolved (a lesson before its file is read): no shape is claimed.
  t.dataset.data_sha256.clear();
  t.model.layers = {{.type = "conv2d", .activation = "relu", .filters = 4, .kernel = 3}};
  d = validate(t);
  EXPECT_FALSE(d.has_errors()) << dump(d);
  // Resolved, the same layer does not fit a sequence.
  t.dataset.data_sha256 = std::string(64, 'b');
  d = validate(t);
  EXPECT_TRUE(d.has_errors());
  // The round trip keeps every fact, but never the local path.
  t.model.layers = {{.type = "lstm", .units = 8}};
  t.dataset.location = "/home/student/air.csv";
  Diagnostics back_diags;
  const JobSpec back = read_job(to_json(t), back_diags);
  EXPECT_EQ(back.dataset.input_names, t.dataset.input_names);
  EXPECT_EQ(back.dataset.window, 12);
  EXPECT_EQ(back.dataset.horizon, 3);
  EXPECT_EQ(back.dataset.group, "station");
  EXPECT_TRUE(back.dataset.location.empty());
  EXPECT_TRUE(back_diags.all().empty()) << dump(back_diags);  // no "noise" warning for a job we wrote
  EXPECT_EQ(to_json(t).dump().find("/home/student"), std::string::npos);
}

TEST(Validator, ReportsEveryProblemInOnePass) {
  json j = to_json(test::xor_job());
  j["dataset"]["noise"] = 3;
  j["training"]["batch_size"] = 0;
  j["model"]["layers"][0]["activation"] = "nope";
  Diagnostics d;
  read_job(j, d);
  EXPECT_EQ(d.error_count(), 3u) << dump(d);
}

TEST(Validator, ValidateMatchesTheReader) {
  JobSpec j = test::xor_job();
  j.training.learning_rate = -1;
  const Diagnostics d = validate(j);
  ASSERT_NE(find(d, "training.learning_rate"), nullptr) << dump(d);
}

TEST(Validator, SuggestsOnlyCloseNames) {
  EXPECT_EQ(nearest("lerning_rate", {"learning_rate", "batch_size"}), "learning_rate");
  EXPECT_EQ(nearest("zzz", {"learning_rate", "batch_size"}), "");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Validator, SwappedLettersStillGetASuggestion) {
  EXPECT_EQ(edit_distance("trian", "train"), 1u);
  EXPECT_EQ(nearest("trian", {"train", "job", "lesson"}), "train");
  EXPECT_EQ(nearest("--epoch", {"--epochs", "--seed", "--json"}), "--epochs");
}

// Only what this version runs: csv: and images: are refused with their own message.
TEST(Validator, UnknownDatasetListsOnlyTheGeneratorsThatWork) {
  json j = to_json(test::xor_job());
  j["dataset"]["source"] = "weather";
  Diagnostics d;
  read_job(j, d);
  const Diagnostic* hit = find(d, "dataset.source");
  ASSERT_NE(hit, nullptr) << dump(d);
  EXPECT_NE(hit->message.find("unknown dataset 'weather'; use a built-in generator: linear, circle, xor"),
            std::string::npos)
      << hit->message;
  EXPECT_NE(hit->message.find("or air-quality"), std::string::npos) << hit->message;
  // The files a lesson may bring are named once, after the generators.
  EXPECT_NE(hit->message.find("or a file: \"csv:FILE\", \"images:FOLDER\""), std::string::npos) << hit->message;
  for (const char* file : {"csv:data/a.csv", "images:photos"}) {
    j["dataset"]["source"] = file;
    Diagnostics d2;
    read_job(j, d2);
    EXPECT_EQ(find(d2, "dataset.source"), nullptr) << file << dump(d2);
  }
}

TEST(Messages, EveryEntryHasBothLanguagesWithTheSamePlaceholders) {
  std::set<std::string> keys;
  for (const MessageEntry& e : message_table()) {
    EXPECT_TRUE(keys.insert(e.key).second) << "twice: " << e.key;
    EXPECT_NE(std::string(e.en), "") << e.key;
    EXPECT_NE(std::string(e.ko), "") << e.key;
    EXPECT_EQ(placeholders_of(e.en), placeholders_of(e.ko)) << e.key << ": " << e.en << " / " << e.ko;
    // Placeholders count from {0} with no gap, so every argument shows.
    const std::vector<int> p = placeholders_of(e.en);
    for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i], static_cast<int>(i)) << e.key;
  }
  EXPECT_GT(keys.size(), 100u);
}

// Every key the code names (msg("..."), phrase("..."), message_text("..."),
// a type or a "what" phrase) is in the table: a typo would show a raw key.
TEST(Messages, EveryKeyTheCodeNamesIsInTheTable) {
  namespace fs = std::filesystem;
  // A call naming a key, or a key chosen with ?: inside one.
  const std::regex call(
      R"re((?:msg|phrase|message_text|wrong_type\(key,|read_text\(\w+, "\w+", (?:true|false),|\?|:)\(?\s*"([a-z_]+\.[a-z0-9_.]+)")re");
  size_t found = 0;
  for (const char* dir : {"runtime/core", "runtime/lesson", "app/cli"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(AISB_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".cpp") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string source = text.str();
      for (std::sregex_iterator it(source.begin(), source.end(), call), end; it != end; ++it) {
        ++found;
        EXPECT_NE(find_message((*it)[1].str()), nullptr) << entry.path().filename() << ": " << (*it)[1].str();
      }
    }
  }
  EXPECT_GT(found, 100u);
}

TEST(Messages, DiagnosticsCarryTheirKeyAndRenderInKorean) {
  json j = to_json(test::xor_job());
  j["training"]["learning_rate"] = 0;
  j["model"]["layers"][0]["activation"] = "tanhh";
  j["dataset"]["samples"] = "many";
  Diagnostics d;
  read_job(j, d);
  const Diagnostic* lr = find(d, "training.learning_rate");
  ASSERT_NE(lr, nullptr) << dump(d);
  EXPECT_EQ(lr->message, "must be greater than 0 and at most 10, got 0");  // the center's answers stay English
  EXPECT_EQ(lr->key, "reader.above_and_at_most");
  EXPECT_EQ(render_diagnostic(*lr, "en"), lr->message);
  EXPECT_EQ(render_diagnostic(*lr, "ko"), "0보다 크고 10 이하여야 합니다. 지금 값: 0");
  EXPECT_EQ(describe_diagnostic(*lr, "ko"),
            "학습률(training.learning_rate): 0보다 크고 10 이하여야 합니다. 지금 값: 0");
  EXPECT_EQ(describe_diagnostic(*lr, "en"), "training.learning_rate: " + lr->message);
  const Diagnostic* act = find(d, "model.layers[0].activation");
  ASSERT_NE(act, nullptr) << dump(d);
  EXPECT_EQ(render_diagnostic(*act, "ko"),
            "알 수 없는 값입니다: 'tanhh' (혹시 'tanh' 아닌가요?). relu, tanh, sigmoid, linear, leaky_relu, gelu 중 "
            "하나를 쓰세요.");
  const Diagnostic* samples = find(d, "dataset.samples");
  ASSERT_NE(samples, nullptr) << dump(d);
  EXPECT_EQ(samples->message, "expected a whole number, got a string");
  EXPECT_EQ(render_diagnostic(*samples, "ko"), "값의 종류가 맞지 않습니다. 필요한 값: 정수, 지금 값: 문자열");
  // Every diagnostic the validator gives has a Korean text.
  for (const auto& x : d.all()) EXPECT_FALSE(x.key.empty()) << x.path << ": " << x.message;
}

TEST(Messages, UnknownKeysRenderVisiblyAndPlaceholdersFill) {
  EXPECT_EQ(fill_placeholders("{0} and {1}, {", {"a", "b"}), "a and b, {");
  EXPECT_EQ(fill_placeholders("{ type = \"flatten\" } {0}", {"x"}), "{ type = \"flatten\" } x");
  EXPECT_EQ(message_text("no.such.key", "ko", {"x"}), "no.such.key x");
  EXPECT_EQ(
      render_message(msg("reader.unknown_value", {"q", suggestion("q", {"zzz"}), list_arg({"a", "b", "c"})}), "en"),
      "unknown value 'q'; use a, b or c");
  EXPECT_EQ(render_message(msg("reader.unknown_value", {"q", MsgArg(), list_arg({"a", "b", "c"})}), "ko"),
            "알 수 없는 값입니다: 'q'. a, b, c 중 하나를 쓰세요.");
}

TEST(Validator, SafePaths) {
  EXPECT_TRUE(is_safe_relative_path("data/a.csv"));
  EXPECT_FALSE(is_safe_relative_path("../a.csv"));
  EXPECT_FALSE(is_safe_relative_path("data/../../a.csv"));
  EXPECT_FALSE(is_safe_relative_path("/etc/passwd"));
  EXPECT_FALSE(is_safe_relative_path("C:\\x"));
  EXPECT_FALSE(is_safe_relative_path(""));
}

}  // namespace
}  // namespace aisb
