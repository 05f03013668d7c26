// The CLI against a real center: logging in, submitting, watching, fetching
// a run's model, listing, cancelling and logging out, as a student types them.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/job_fixtures.hpp"
#include "core/trained_model.hpp"
#include "gateway_fixture.hpp"

namespace fs = std::filesystem;

namespace aisb {
namespace {

struct Ran {
  int status;
  std::string out;
};

Ran cli(const std::string& args, const fs::path& config_home) {
  const std::string cmd =
      "LANG=C LC_ALL=C XDG_CONFIG_HOME=" + config_home.string() + " " + AISB_CLI + " " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::vector<json> lines(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) v.push_back(json::parse(l));
  return v;
}

TEST_F(Center, TheCliLogsInSubmitsAndWatches) {
  start();
  const fs::path home = data / "home";
  const std::string lesson = std::string(AISB_SOURCE_DIR) + "/lessons/basics/02-xor-hidden-layer.toml";
  // Nothing saved yet: a usage error that says to log in.
  EXPECT_EQ(cli("submit " + lesson, home).status, 2);
  Ran r = cli(
      "login --center " + center->url() + " --class " + klass["class_code"].get<std::string>() + " --name 민지 --json",
      home);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(json::parse(r.out)["token"].get<std::string>().size(), 64u);
  const fs::path saved = home / "aisandbox" / "center.toml";
  ASSERT_TRUE(fs::exists(saved));
  EXPECT_EQ(fs::status(saved).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  // submit --json streams every event with its seq, the last one done.
  r = cli("submit " + lesson + " --epochs 20 --json", home);
  EXPECT_EQ(r.status, 0);
  const auto ev = lines(r.out);
  expect_complete(ev);
  EXPECT_EQ(ev.back()["reason"], "completed");
  // --detach gives the id; watch replays from seq 1 to the end.
  r = cli("submit " + lesson + " --epochs 20 --detach", home);
  ASSERT_EQ(r.status, 0);
  const std::string id = json::parse(r.out)["job"];
  r = cli("watch " + id + " --json", home);
  EXPECT_EQ(r.status, 0);
  const auto watched = lines(r.out);
  expect_complete(watched);
  EXPECT_EQ(watched.size(), ev.size());
  // A refusal is exit 1, an unreachable center exit 3.
  EXPECT_EQ(cli("watch j0000000000000000", home).status, 1);
  EXPECT_EQ(cli("submit " + lesson + " --center http://127.0.0.1:1 --token x", home).status, 3);
  EXPECT_EQ(cli("login --center http://127.0.0.1:1 --class X --name y", home).status, 3);
  EXPECT_EQ(cli("login --center not-a-url --class X --name y", home).status, 2);
}

TEST_F(Center, TheCliFetchesARunsModelListsCancelsAndLogsOut) {
  start();
  const fs::path home = data / "home-model";
  const std::string lesson = std::string(AISB_SOURCE_DIR) + "/lessons/basics/02-xor-hidden-layer.toml";
  ASSERT_EQ(cli("login --center " + center->url() + " --class " + klass["class_code"].get<std::string>() +
                    " --name 지수 --json",
                home)
                .status,
            0);
  Ran r = cli("submit " + lesson + " --epochs 15 --detach", home);
  ASSERT_EQ(r.status, 0);
  const std::string id = json::parse(r.out)["job"];
  ASSERT_EQ(cli("watch " + id, home).status, 0);
  // The run's trained-model file, fetched and checked; it predicts like a local one.
  const fs::path model = data / "fetched.aimodel";
  ASSERT_EQ(cli("model " + id + " -o " + model.string(), home).status, 0);
  Diagnostics diags;
  const TrainedModel m = read_model_file(model.string(), diags);
  ASSERT_FALSE(diags.has_errors()) << diags.first_error();
  EXPECT_EQ(m.job.training.epochs, 15);
  EXPECT_EQ(m.epochs_done, 15);
  EXPECT_EQ(m.curves.size(), 16u);
  EXPECT_EQ(m.classes, (std::vector<std::string>{"0", "1"}));
  const fs::path csv = data / "points.csv";
  std::ofstream(csv) << "x1,x2\n3,3\n-3,3\n";
  r = cli("predict " + model.string() + " " + csv.string() + " --json", home);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(lines(r.out).size(), 2u);
  // `jobs` lists it; a job that has no model yet, or is not yours, is a refusal (1).
  r = cli("jobs --json", home);
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find(id), std::string::npos);
  r = cli("submit " + lesson + " --epochs 100000 --detach", home);
  ASSERT_EQ(r.status, 0);
  const std::string running = json::parse(r.out)["job"];
  EXPECT_EQ(cli("model " + running + " -o " + (data / "none.aimodel").string(), home).status, 1);
  EXPECT_FALSE(fs::exists(data / "none.aimodel"));
  EXPECT_EQ(cli("model j0000000000000000 -o " + (data / "none.aimodel").string(), home).status, 1);
  EXPECT_EQ(cli("cancel " + running, home).status, 0);
  std::string state;
  for (int i = 0; i < 100 && state != "cancelled"; ++i) {
    const json list = json::parse(cli("jobs --json", home).out);
    for (const auto& j : list["jobs"]) {
      if (j["id"] == running) state = j.value("state", "");
    }
    if (state != "cancelled") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, "cancelled");
  // After logout the saved token is gone: commands say to log in (2).
  EXPECT_EQ(cli("logout", home).status, 0);
  EXPECT_EQ(cli("jobs", home).status, 2);
  EXPECT_EQ(cli("model " + id + " -o " + model.string(), home).status, 2);
}

}  // namespace
}  // namespace aisb
