// aisandbox-cli as a user runs it: real processes, real files, every exit code.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/job_reader.hpp"

namespace aisb {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One folder per test process, removed when the process ends.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("aisb-cli-test-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path temp_dir() {
  static const TempDir dir;
  return dir.path;
}

// Runs in an English locale unless `prefix` says otherwise ("env LANG=ko_KR.UTF-8 ").
Result run(const std::string& args, const std::string& prefix = "") {
  const fs::path out = temp_dir() / "out.txt", err = temp_dir() / "err.txt";
  const std::string cmd = "env LC_ALL= LC_MESSAGES= LANG=C.UTF-8 " + prefix + std::string(AISB_CLI) + " " + args +
                          " >" + out.string() + " 2>" + err.string() + " </dev/null";
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string lesson(const std::string& name) {
  return std::string(AISB_SOURCE_DIR) + "/lessons/basics/" + name;
}

fs::path write_lesson(const std::string& name, const std::string& text) {
  const fs::path p = temp_dir() / name;
  std::ofstream(p) << text;
  return p;
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) v.push_back(nlohmann::json::parse(line));
  return v;
}

const char* kXor = "02-xor-hidden-layer.toml";
const char* kSpiral = "04-spiral-features.toml";

TEST(Cli, HelpAndVersion) {
  const Result help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("train"), std::string::npos);
  const Result version = run("--version");
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.out.find("aisandbox-cli"), std::string::npos);
  EXPECT_EQ(run("train --help").code, 0);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("fly").code, 2);
  EXPECT_EQ(run("train").code, 2);
  EXPECT_EQ(run("train /nonexistent.toml").code, 2);
  EXPECT_EQ(run("train " + lesson(kXor) + " --epochs 0").code, 2);
  EXPECT_EQ(run("train " + lesson(kXor) + " --device tpu").code, 2);
  EXPECT_EQ(run("train " + lesson(kXor) + " --bogus").code, 2);
  EXPECT_EQ(run("lesson").code, 2);
}

TEST(Cli, TrainJsonStreamsEventsEndingInDone) {
  const Result r = run("train " + lesson(kXor) + " --json --epochs 3");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto events = json_lines(r.out);
  ASSERT_GE(events.size(), 5u);
  EXPECT_EQ(events.front()["type"], "started");
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i]["seq"], i + 1);
  EXPECT_EQ(events.back()["type"], "done");
  EXPECT_EQ(events.back()["reason"], "completed");
  EXPECT_EQ(events.back()["epoch"], 3);
  EXPECT_GT(events.back()["steps_per_second"].get<double>(), 0);
}

TEST(Cli, SeedOverridesBothSeeds) {
  const auto last = [](const Result& r) { return json_lines(r.out).back()["test_loss"].get<double>(); };
  const Result a = run("train " + lesson(kXor) + " --json --epochs 2 --seed 5");
  const Result b = run("train " + lesson(kXor) + " --json --epochs 2 --seed 5");
  const Result c = run("train " + lesson(kXor) + " --json --epochs 2 --seed 6");
  EXPECT_EQ(last(a), last(b));
  EXPECT_NE(last(a), last(c));
}

TEST(Cli, XorLessonReachesItsGoal) {
  const Result r = run("train " + lesson(kXor) + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(json_lines(r.out).back()["test_accuracy"].get<double>(), 0.95);
}

TEST(Cli, SpiralLessonWithFeaturesReachesItsGoal) {
  const Result r = run("train " + lesson(kSpiral) + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(json_lines(r.out).back()["test_accuracy"].get<double>(), 0.9);
}

TEST(Cli, HumanOutputWithoutATerminal) {
  const Result r = run("train " + lesson(kXor) + " --epochs 20");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("training on cpu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("epoch 20/20"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("done:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\r"), std::string::npos);  // no progress-bar redraws in a log
}

TEST(Cli, BadLessonExitsOneWithFileLineColumn) {
  const fs::path p = write_lesson("bad.toml",
                                  "format = 1\nid = \"bad\"\ntitle.en = \"Bad\"\n[dataset]\nsource = \"xor\"\n"
                                  "[model]\ntask = \"classification\"\n[training]\nlearning_rate = 99\n");
  const Result r = run("train " + p.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(p.string() + ":9:1: error: training.learning_rate"), std::string::npos) << r.err;
  const Result c = run("lesson check " + p.string());
  EXPECT_EQ(c.code, 1);
  EXPECT_NE(c.err.find(p.string() + ":9:1: error:"), std::string::npos) << c.err;
  EXPECT_NE(c.out.find("1 with errors"), std::string::npos) << c.out;
  EXPECT_EQ(run("job " + p.string()).code, 1);
}

TEST(Cli, LessonCheckFoldersRecursively) {
  // Solutions are trained by tests/backend/solution_test.cpp; here the walk and the verdict.
  const Result r = run("lesson check --no-train " + std::string(AISB_SOURCE_DIR) + "/lessons");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("all good"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in 3 courses"), std::string::npos) << r.out;
  EXPECT_EQ(run("lesson check /nonexistent-folder").code, 1);
}

TEST(Cli, LessonCheckTrainsSolutionsAndChecksCourses) {
  const fs::path dir = temp_dir() / "course";
  fs::create_directories(dir);
  std::ofstream(dir / "a.toml") << R"(format = 1
id = "same"
title.ko = "가"
title.en = "A"
[dataset]
source = "spiral"
[model]
task = "classification"
[training]
learning_rate = 0.03
epochs = 2
[[steps]]
text.ko = "가"
text.en = "A"
goal = { metric = "test_accuracy", at_least = 0.99 }
[solution]
)";
  fs::copy_file(dir / "a.toml", dir / "b.toml", fs::copy_options::overwrite_existing);
  fs::copy_file(dir / "a.toml", dir / "extra.toml", fs::copy_options::overwrite_existing);
  std::ofstream(dir / "course.toml") << "format = 1\nid = \"c\"\ntitle.en = \"C\"\ntitle.ko = \"다\"\n"
                                        "lessons = [\"a.toml\", \"b.toml\", \"gone.toml\"]\n";
  const Result r = run("lesson check " + dir.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("a.toml:15:1: warning: steps[0].goal: the solution reaches test_accuracy"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("course.toml:5:32: error: lessons[2]: the lesson 'gone.toml' is not there"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("the lesson id 'same' is used by a.toml too"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'extra.toml' is in the course's folder but not in its list"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("in 1 course"), std::string::npos) << r.out;
  const Result quick = run("lesson check --no-train " + (dir / "a.toml").string());
  EXPECT_EQ(quick.code, 0) << quick.err;
  EXPECT_EQ(quick.err.find("the solution reaches"), std::string::npos) << quick.err;
}

TEST(Cli, TrainTheSolution) {
  const Result r =
      run("train " + std::string(AISB_SOURCE_DIR) + "/lessons/basics/03-circle-width.toml --solution --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json_lines(r.out).front()["parameters"], 2 * 4 + 4 + 4 * 2 + 2);
  const Result none =
      run("train " +
          write_lesson("nosol.toml", slurp(lesson(kXor)).substr(0, slurp(lesson(kXor)).find("[solution]"))).string() +
          " --solution");
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("no [solution]"), std::string::npos) << none.err;
}

// The worked example of docs/teachers.md must stay a lesson the checker accepts.
TEST(Cli, TeachersGuideExampleChecksClean) {
  const std::string guide = slurp(std::string(AISB_SOURCE_DIR) + "/docs/teachers.md");
  const auto block = [&](const std::string& start) {
    const size_t at = guide.find("```toml\n" + start);
    EXPECT_NE(at, std::string::npos) << start;
    const size_t begin = at + 8;
    return guide.substr(begin, guide.find("```", begin) - begin);
  };
  const fs::path dir = temp_dir() / "guide";
  fs::create_directories(dir);
  std::ofstream(dir / "01-gaussian.toml") << block("format = 1\nid = \"two-clouds\"");
  std::ofstream(dir / "course.toml") << block("format = 1\nid = \"my-class\"");
  const Result r = run("lesson check " + dir.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1 lesson in 1 course: all good"), std::string::npos) << r.out << r.err;
}

TEST(Cli, JobPrintsAValidSpec) {
  const Result r = run("job " + lesson(kXor));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  Diagnostics d;
  const JobSpec job = read_job(j, d);
  EXPECT_FALSE(d.has_errors()) << d.first_error();
  EXPECT_EQ(job.lesson, "xor-hidden-layer");
  EXPECT_EQ(job.model.layers.size(), 2u);
}

TEST(Cli, DivergingRunExitsOneAndSaysWhy) {
  const fs::path p = write_lesson("diverge.toml", R"(format = 1
id = "too-fast"
title.en = "Too fast"
[dataset]
source = "plane"
[model]
task = "regression"
layers = [{ type = "dense", units = 4, activation = "linear" }]
[training]
learning_rate = 5.0
epochs = 100
)");
  const Result r = run("train " + p.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("diverged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("learning rate (5) is probably too high"), std::string::npos) << r.out;
}

TEST(Cli, CudaOnACpuOnlyBuildExitsOne) {
  const Result v = run("--version");
  if (v.out.find("CUDA") != std::string::npos) GTEST_SKIP() << "this libtorch has CUDA";
  const Result r = run("train " + lesson(kXor) + " --device cuda");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("GPU"), std::string::npos) << r.err;
}

TEST(Cli, SaveWritesJobEventsAndWeights) {
  const fs::path dir = temp_dir() / "saved";
  const Result r = run("train " + lesson(kXor) + " --epochs 2 --save " + dir.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto model = nlohmann::json::parse(slurp(dir / "model.json"));
  EXPECT_EQ(model["weights"].size(), 6u);
  EXPECT_EQ(model["weights"][0]["name"], "layers.0.weight");
  EXPECT_EQ(model["job"]["lesson"], "xor-hidden-layer");
  const auto events = json_lines(slurp(dir / "events.jsonl"));
  EXPECT_EQ(events.back()["type"], "done");
  EXPECT_TRUE(fs::exists(dir / "job.json"));
}

TEST(Cli, InterruptCancelsCleanly) {
  const Result r = run("train " + lesson(kXor) + " --json --epochs 100000", "timeout --preserve-status -s INT 1 ");
  EXPECT_EQ(r.code, 1);
  const auto events = json_lines(r.out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["type"], "done");
  EXPECT_EQ(events.back()["reason"], "cancelled");
}

TEST(Cli, UnknownCommandSaysTheNearestAndListsTheCommands) {
  const Result typo = run("trian " + lesson(kXor));
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("unknown command 'trian': did you mean 'train'?"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("commands: train, predict, export, job, lesson"), std::string::npos) << typo.err;
  const Result list = run("list");
  EXPECT_EQ(list.code, 2);
  EXPECT_NE(list.err.find("unknown command 'list'\n"), std::string::npos) << list.err;
  EXPECT_NE(list.err.find("commands: train, predict, export, job, lesson"), std::string::npos) << list.err;
  const Result nested = run("lesson chek lessons");
  EXPECT_EQ(nested.code, 2);
  EXPECT_NE(nested.err.find("unknown command 'lesson chek': did you mean 'lesson check'?"), std::string::npos)
      << nested.err;
  const Result none = run("");
  EXPECT_NE(none.err.find("a command is required"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.find("A subcommand is required"), std::string::npos) << none.err;
}

TEST(Cli, UnknownOptionSaysTheNearest) {
  const Result r = run("train " + lesson(kXor) + " --epoch 3");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown option '--epoch' for 'train': did you mean '--epochs'?"), std::string::npos) << r.err;
  const Result c = run("lesson check --no-trian " + lesson(kXor));
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find("did you mean '--no-train'?"), std::string::npos) << c.err;
}

TEST(Cli, TrainSummaryNamesTrainingAndTestAndSaysWhetherGoalsAreMet) {
  const Result r = run("train " + lesson(kXor) + " --epochs 20");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("epoch 20/20  training loss "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" | test loss "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step 1 goal met: test accuracy at least 0.95 (final value 0.992)"), std::string::npos) << r.out;
  const Result short_run = run("train " + lesson(kXor) + " --epochs 1");
  ASSERT_EQ(short_run.code, 0) << short_run.err;
  EXPECT_NE(short_run.out.find("step 1 goal not met: test accuracy at least 0.95 (final value "), std::string::npos)
      << short_run.out;
  // A regression lesson: MAE and R² are labelled too.
  const Result plane = run("train " + lesson("07-regression-plane.toml") + " --epochs 2");
  ASSERT_EQ(plane.code, 0) << plane.err;
  EXPECT_NE(plane.out.find("training loss "), std::string::npos) << plane.out;
  EXPECT_NE(plane.out.find(", R² "), std::string::npos) << plane.out;
  EXPECT_NE(plane.out.find("goal not met: test R² at least"), std::string::npos) << plane.out;
}

TEST(Cli, ImpossibleGoalIsAnErrorAtItsKey) {
  const fs::path p = write_lesson("goal95.toml", R"(format = 1
id = "goal95"
title.en = "Goal"
[dataset]
source = "xor"
[model]
task = "classification"
[training]
learning_rate = 0.03
[[steps]]
text.en = "Go"
goal = { metric = "test_accuracy", at_least = 95 }
)");
  const Result r = run("lesson check --no-train " + p.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(p.string() + ":12:36: error: steps[0].goal.at_least: test_accuracy goes from 0 to 1, not 0 to "
                                    "100: for 95% write at_least = 0.95"),
            std::string::npos)
      << r.err;
}

TEST(Cli, UnclosedListIsNamedWhereItStarts) {
  const fs::path p = write_lesson("open.toml",
                                  "format = 1\nid = \"open\"\ntitle.en = \"Open\"\n[dataset]\n"
                                  "source = \"xor\"\n[model]\ntask = \"classification\"\n"
                                  "inputs = [\"x1\", \"x2\"\n[training]\nlearning_rate = 0.03\n");
  const Result r = run("lesson check " + p.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(p.string() + ":8:10: error: the list opened on line 8 with `[` is never closed: add `]`"),
            std::string::npos)
      << r.err;
}

// --lang ko, or a Korean locale as the app reads it: the checker and the summary in Korean.
TEST(Cli, KoreanFromLangOrFromTheLocale) {
  const fs::path p = write_lesson("bad-ko.toml",
                                  "format = 1\nid = \"bad\"\ntitle.en = \"Bad\"\n[dataset]\n"
                                  "source = \"xor\"\n[model]\ntask = \"classification\"\n[training]\n"
                                  "learning_rate = 99\n");
  const std::string korean = ":9:1: error: 학습률(training.learning_rate): 0보다 크고 10 이하여야 합니다. 지금 값: 99";
  const Result flag = run("lesson check --lang ko " + p.string());
  EXPECT_EQ(flag.code, 1);
  EXPECT_NE(flag.err.find(p.string() + korean), std::string::npos) << flag.err;
  EXPECT_NE(flag.out.find("검사한 것: 수업 1개. 오류가 있는 파일: 1개"), std::string::npos) << flag.out;
  const Result locale = run("train " + p.string(), "env LANG=ko_KR.UTF-8 ");
  EXPECT_EQ(locale.code, 1);
  EXPECT_NE(locale.err.find(korean), std::string::npos) << locale.err;
  const Result english = run("train --lang en " + p.string(), "env LANG=ko_KR.UTF-8 ");
  EXPECT_NE(english.err.find("must be greater than 0 and at most 10, got 99"), std::string::npos) << english.err;
  const Result typo = run("--lang ko trian");
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("알 수 없는 명령입니다: 'trian'. 혹시 'train' 아닌가요?"), std::string::npos) << typo.err;

  const Result train = run("train --lang ko " + lesson(kXor) + " --epochs 20");
  ASSERT_EQ(train.code, 0) << train.err;
  EXPECT_NE(train.out.find("XOR: 은닉층이 필요한 이유: cpu에서 학습합니다"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("에포크 20/20  훈련 손실 "), std::string::npos) << train.out;
  EXPECT_NE(train.out.find(" | 테스트 손실 "), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("완료: 500단계"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("1단계 목표 달성: 테스트 정확도 0.95 이상 (최종 값 0.992)"), std::string::npos) << train.out;
  // JSON stays JSON.
  const Result json = run("train --lang ko " + lesson(kXor) + " --json --epochs 1");
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(json_lines(json.out).back()["type"], "done");
}

TEST(Cli, KoreanLessonCheckSummary) {
  const Result r = run("lesson check --no-train --lang ko " + std::string(AISB_SOURCE_DIR) + "/lessons");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(과정 3개). 모두 통과했습니다"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace aisb

namespace aisb {
namespace {

// --- a trained model: train --model, predict ------------------------------

// A 24-bit BMP of `w` x `h` from grey values (written by hand: the test needs
// no image library, and the readers take BMP as they take PNG).
void write_bmp(const fs::path& p, int w, int h, const std::vector<uint8_t>& grey) {
  const int row = (w * 3 + 3) / 4 * 4;
  const uint32_t size = 54 + static_cast<uint32_t>(row * h);
  std::string b(54, '\0');
  const auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  b[0] = 'B';
  b[1] = 'M';
  put32(2, size);
  put32(10, 54);
  put32(14, 40);
  put32(18, static_cast<uint32_t>(w));
  put32(22, static_cast<uint32_t>(h));
  b[26] = 1;
  b[28] = 24;
  for (int y = h - 1; y >= 0; --y) {  // bottom-up
    std::string r(static_cast<size_t>(row), '\0');
    for (int x = 0; x < w; ++x) {
      const char g = static_cast<char>(grey[static_cast<size_t>(y * w + x)]);
      r[static_cast<size_t>(x * 3)] = r[static_cast<size_t>(x * 3 + 1)] = r[static_cast<size_t>(x * 3 + 2)] = g;
    }
    b += r;
  }
  std::ofstream(p, std::ios::binary) << b;
}

const fs::path& xor_model() {
  static const fs::path m = [] {
    const fs::path p = temp_dir() / "xor.aimodel";
    const Result r = run("train " + lesson(kXor) + " --epochs 30 --model " + p.string());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("saved in " + p.string()), std::string::npos) << r.err;
    return p;
  }();
  return m;
}

TEST(Cli, PredictRowsOfACsvFile) {
  const fs::path csv = temp_dir() / "points.csv";
  std::ofstream(csv) << "x2,x1,note\n3,3,a\n-3,3,b\n3,-3,c\n";
  const Result r = run("predict " + xor_model().string() + " " + csv.string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i]["input"], csv.string() + ":" + std::to_string(i + 1));
    const double p0 = lines[i]["probabilities"]["0"], p1 = lines[i]["probabilities"]["1"];
    EXPECT_NEAR(p0 + p1, 1.0, 2e-6);
    EXPECT_EQ(lines[i]["class"], p1 > p0 ? "1" : "0");
  }
  // XOR: the corners of one diagonal share a class, the other diagonal has the other.
  EXPECT_NE(lines[1]["class"], lines[0]["class"]);
  EXPECT_EQ(lines[1]["class"], lines[2]["class"]);
  // The keys in the order SPEC.md gives them, as the exported model.py prints them.
  EXPECT_EQ(r.out.rfind("{\"input\":", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\",\"class\":\""), std::string::npos);
  // Without --json: one readable line each.
  const Result text = run("predict " + xor_model().string() + " " + csv.string());
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find(csv.string() + ":1  →  " + lines[0]["class"].get<std::string>() + " ("), std::string::npos)
      << text.out;
}

TEST(Cli, PredictSaysWhatIsWrongWithTheInput) {
  const fs::path csv = temp_dir() / "nox2.csv";
  std::ofstream(csv) << "x1,y\n1,2\n";
  Result r = run("predict " + xor_model().string() + " " + csv.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no column 'x2'; the model needs the columns x1, x2"), std::string::npos) << r.err;
  const fs::path empty_cell = temp_dir() / "empty.csv";
  std::ofstream(empty_cell) << "x1,x2\n1,2\n3,\n";
  r = run("predict " + xor_model().string() + " " + empty_cell.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(empty_cell.string() + ":2: the cell of column 'x2' is empty"), std::string::npos) << r.err;
  const fs::path img = temp_dir() / "one.bmp";
  write_bmp(img, 4, 4, std::vector<uint8_t>(16, 200));
  r = run("predict " + xor_model().string() + " " + img.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("does not take images"), std::string::npos) << r.err;
  r = run("predict " + xor_model().string() + " " + (temp_dir() / "nothing.csv").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
  r = run("predict " + xor_model().string());
  EXPECT_EQ(r.code, 2);
  r = run("predict " + xor_model().string() + " " + csv.string(), "LANG=ko_KR.UTF-8 ");
  EXPECT_NE(r.err.find("'x2' 열이 없습니다"), std::string::npos) << r.err;
}

TEST(Cli, PredictWithABadModelFileExitsOneAndSaysWhy) {
  const std::string good = slurp(xor_model());
  const fs::path cut = temp_dir() / "cut.aimodel";
  std::ofstream(cut) << good.substr(0, good.size() / 2);
  const fs::path csv = temp_dir() / "p.csv";
  std::ofstream(csv) << "x1,x2\n1,1\n";
  Result r = run("predict " + cut.string() + " " + csv.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(cut.string() + ": error: this is not an AI Sandbox model file"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(good);
  j["aisandbox_model"] = 7;
  const fs::path future = temp_dir() / "future.aimodel";
  std::ofstream(future) << j.dump();
  r = run("predict " + future.string() + " " + csv.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("version 7 is not supported"), std::string::npos) << r.err;
  r = run("predict " + (temp_dir() / "no-such.aimodel").string() + " " + csv.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no-such.aimodel: error: cannot open the model file"), std::string::npos) << r.err;
}

TEST(Cli, PredictImagesAndFoldersWithATrainedCnn) {
  const fs::path lesson_file = write_lesson("tiny-digits.toml", R"(format = 1
id = "tiny-digits"
title.en = "Tiny digits"
[dataset]
source = "digits"
samples = 300
test_fraction = 0.2
[model]
task = "classification"
inputs = []
layers = [
  { type = "conv2d", filters = 4, kernel = 3, activation = "relu" },
  { type = "maxpool2d", size = 2 },
  { type = "flatten" },
]
[training]
optimizer = "adam"
learning_rate = 0.01
batch_size = 32
epochs = 2
)");
  const fs::path model = temp_dir() / "digits.aimodel";
  Result r = run("train " + lesson_file.string() + " --model " + model.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const fs::path folder = temp_dir() / "drawn";
  fs::create_directories(folder / "more");
  std::vector<uint8_t> bar(28 * 28, 0);
  for (int y = 4; y < 24; ++y) bar[static_cast<size_t>(y * 28 + 14)] = 255;  // a "1"
  write_bmp(folder / "b.bmp", 28, 28, bar);
  write_bmp(folder / "more" / "a.bmp", 56, 56, std::vector<uint8_t>(56 * 56, 0));  // resized to 28x28
  std::ofstream(folder / "notes.txt") << "not an image";
  std::ofstream(folder / "broken.png") << "not a png";
  r = run("predict " + model.string() + " " + folder.string() + " " + (folder / "b.bmp").string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0]["input"], (folder / "b.bmp").string());
  EXPECT_EQ(lines[1]["input"], (folder / "more" / "a.bmp").string());
  EXPECT_EQ(lines[2]["input"], (folder / "b.bmp").string());
  EXPECT_EQ(lines[0]["probabilities"], lines[2]["probabilities"]);  // the same file, the same answer
  EXPECT_EQ(lines[0]["probabilities"].size(), 10u);
  EXPECT_NE(r.err.find("broken.png"), std::string::npos) << r.err;  // a warning, and the rest go on
  // A table to an image model is refused with the reason.
  const fs::path csv = temp_dir() / "pix.csv";
  std::ofstream(csv) << "a,b\n1,2\n";
  r = run("predict " + model.string() + " " + csv.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("takes images"), std::string::npos) << r.err;
}

TEST(Cli, SaveAndModelFilesAreTheSameFormat) {
  const fs::path dir = temp_dir() / "saved-both";
  const fs::path model = temp_dir() / "both.aimodel";
  const Result r = run("train " + lesson(kXor) + " --epochs 2 --save " + dir.string() + " --model " + model.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto a = nlohmann::json::parse(slurp(dir / "model.json"));
  const auto b = nlohmann::json::parse(slurp(model));
  EXPECT_EQ(a["aisandbox_model"], 1);
  EXPECT_EQ(a["weights"], b["weights"]);
  EXPECT_EQ(b["curves"].size(), 3u);  // epoch 0 and two epochs
  EXPECT_EQ(b["trained"]["epochs"], 2);
  EXPECT_FALSE(b["trained"]["optimizer"].get<std::string>().empty());
}

}  // namespace
}  // namespace aisb
