// The classroom at a real center (issue 12): who is who (personal codes, the
// roster, codes typed forgivingly, failed sign-ins limited), lessons
// published to the class, students' progress, and the teacher's report;
// through the HTTP API and through aisandbox-cli.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "center_fixture.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb {
namespace {

constexpr const char* kSettings = "[stream]\npoll_ms = 20\n";

class Classroom : public test::CenterFixture {
 protected:
  Classroom() : CenterFixture("classroom") {}
  void SetUp() override {
    CenterFixture::SetUp();
    start(kSettings);
  }
  std::string class_code() const { return klass["class_code"]; }
  std::string teacher() const { return klass["teacher_token"]; }
  std::string class_path() const { return "/api/v1/classes/" + klass["class"].get<std::string>(); }
  net::ClientResponse sign_in(const std::string& name, const std::string& code = "", net::Headers h = {},
                              const std::string& class_code_typed = "") {
    json body{{"class_code", class_code_typed.empty() ? class_code() : class_code_typed}, {"name", name}};
    if (!code.empty()) body["code"] = code;
    return call("POST", "/api/v1/login", body.dump(), "", std::move(h));
  }
  static json body(const net::ClientResponse& r) { return json::parse(r.body); }
  std::string lesson_text(const std::string& name) {
    std::ifstream in(std::string(AISB_SOURCE_DIR) + "/lessons/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(Classroom, NoOneSignsInAsAClassmateOfAnOpenClass) {
  // The first sign-in of a new name gives it a personal code, once.
  auto r = sign_in("민지");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string code = body(r)["code"];
  const std::string first = body(r)["token"];
  EXPECT_TRUE(std::regex_match(code, std::regex("[ACDEFGHJKMNPQRTUVWXY234679]{4}-[ACDEFGHJKMNPQRTUVWXY234679]{4}")))
      << code;
  // Before: anyone typing 민지 became 민지. Now the name is taken.
  r = sign_in("민지");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body(r)["field"], "code");
  EXPECT_NE(body(r)["error"].get<std::string>().find("taken"), std::string::npos) << r.body;
  r = sign_in("민지", "AAAA-AAAA");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body(r)["field"], "code");
  // In both languages: the reader's client picks.
  EXPECT_EQ(body(r)["error_ko"], "'민지'의 개인 코드가 아닙니다(선생님께 새 코드를 받으세요).") << r.body;
  // The right code, typed any way a pupil types it: lower case, spaces, no
  // dash, full-width letters.
  std::string sloppy;
  for (const char c : code) {
    if (c != '-') sloppy += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  r = sign_in(" 민지 ", " " + sloppy.substr(0, 4) + " " + sloppy.substr(4) + " ");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(body(r).contains("code"));  // the code is only ever shown once
  const std::string second = body(r)["token"];
  EXPECT_EQ(json::parse(call("GET", "/api/v1/me", "", first).body)["student"],
            json::parse(call("GET", "/api/v1/me", "", second).body)["student"]);
  // Logging out ends that token, not the other.
  EXPECT_EQ(call("POST", "/api/v1/logout", "", first).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/me", "", first).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", "", second).status, 200);
}

TEST_F(Classroom, ClassCodesAndNamesAreForgiving) {
  std::string fullwidth;  // "ｋ７..." : each ASCII letter or digit as U+FF01..U+FF5E
  for (const char c : class_code()) {
    const int cp = 0xFEE0 + std::tolower(static_cast<unsigned char>(c));
    fullwidth += static_cast<char>(0xE0 | (cp >> 12));
    fullwidth += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    fullwidth += static_cast<char>(0x80 | (cp & 0x3F));
  }
  auto r = sign_in("지수", "", {}, "  " + fullwidth + "\u3000");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string code = body(r)["code"];
  // A name typed as decomposed jamo (as a Mac sends it) is the composed name.
  const std::string decomposed = "\u110c\u1175\u1109\u116e";  // 지수: ㅈ ㅣ ㅅ ㅜ
  r = sign_in(decomposed, code);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["name"], "지수");
  // 40 characters are counted as characters (the message says 40).
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "가";
  EXPECT_EQ(sign_in(forty).status, 200);
  r = sign_in(forty + "가");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body(r)["field"], "name");
  // A teacher's token typed as a class code says what it is.
  r = sign_in("x", "", {}, teacher());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body(r)["field"], "class_code");
  EXPECT_NE(body(r)["error"].get<std::string>().find("teacher token"), std::string::npos) << r.body;
}

TEST_F(Classroom, TheTeachersRosterDecidesWhoSignsIn) {
  auto r = call("POST", class_path() + "/roster", json{{"names", {"민지", "지수", "서연"}}}.dump(), teacher());
  ASSERT_EQ(r.status, 201) << r.body;
  std::map<std::string, std::string> codes;
  const json added = body(r);
  for (const auto& s : added["students"]) codes[s["name"]] = s["code"];
  ASSERT_EQ(codes.size(), 3u);
  // A student cannot change the roster.
  const std::string minji = body(sign_in("민지", codes["민지"]))["token"];
  ASSERT_FALSE(minji.empty());
  EXPECT_EQ(call("POST", class_path() + "/roster", json{{"names", {"x"}}}.dump(), minji).status, 403);
  EXPECT_EQ(call("GET", class_path() + "/roster", "", minji).status, 403);
  // A name not on the roster does not join; one on it needs its own code.
  r = sign_in("mallory");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body(r)["field"], "name");
  EXPECT_EQ(sign_in("지수", codes["민지"]).status, 401);
  EXPECT_EQ(sign_in("지수").status, 401);
  // A name twice, or one already there, is refused as a whole.
  EXPECT_EQ(call("POST", class_path() + "/roster", json{{"names", {"a", "a"}}}.dump(), teacher()).status, 422);
  EXPECT_EQ(call("POST", class_path() + "/roster", json{{"names", {"b", "민지"}}}.dump(), teacher()).status, 422);
  r = call("GET", class_path() + "/roster", "", teacher());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r)["roster_only"], true);
  EXPECT_EQ(body(r)["students"].size(), 3u);
  EXPECT_EQ(body(r)["students"][0]["signed_in"], true);
  EXPECT_EQ(body(r)["students"][1]["signed_in"], false);
  // A reset code: the old code and every token of the student end.
  r = call("POST", class_path() + "/roster/reset", json{{"name", "민지"}}.dump(), teacher());
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string fresh = body(r)["code"];
  EXPECT_NE(fresh, codes["민지"]);
  EXPECT_EQ(call("GET", "/api/v1/me", "", minji).status, 401);
  EXPECT_EQ(sign_in("민지", codes["민지"]).status, 401);
  EXPECT_EQ(sign_in("민지", fresh).status, 200);
  EXPECT_EQ(call("POST", class_path() + "/roster/reset", json{{"name", "nobody"}}.dump(), teacher()).status, 404);
  // Codes are hashed at rest: neither code is in the database file.
  std::ifstream db(data / "center.db", std::ios::binary);
  std::stringstream all;
  all << db.rdbuf();
  EXPECT_EQ(all.str().find(fresh), std::string::npos);
  EXPECT_EQ(all.str().find(codes["지수"]), std::string::npos);
}

TEST_F(Classroom, WrongCodesAreLimitedPerNameAddressAndClass) {
  center.reset();
  start(std::string(kSettings) +
        "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[limits]\nsign_in_failures_per_name_per_minute = 3\n"
        "sign_in_failures_per_class_per_minute = 8\nlogin_failures_per_minute = 6\n");
  const auto from = [](const std::string& a) { return net::Headers{{"X-Forwarded-For", a}}; };
  auto r = call("POST", class_path() + "/roster", json{{"names", {"민지", "지수", "a", "b", "c"}}}.dump(), teacher());
  ASSERT_EQ(r.status, 201);
  std::map<std::string, std::string> codes;
  const json added = body(r);
  for (const auto& s : added["students"]) codes[s["name"]] = s["code"];
  // The class's own address signs in once, so it is known.
  ASSERT_EQ(sign_in("지수", codes["지수"], from("198.51.100.1")).status, 200);
  // Guessing 민지's code: three tries, then even the right code waits.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(sign_in("민지", "AAAA-AAA" + std::to_string(i + 2), from("203.0.113.1")).status, 401);
  r = sign_in("민지", codes["민지"], from("203.0.113.2"));
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_FALSE(r.headers["retry-after"].empty());
  // Per address: one address guessing across names is stopped.
  for (const char* n : {"a", "b", "c"}) EXPECT_EQ(sign_in(n, "AAAA-AAAA", from("203.0.113.1")).status, 401);
  EXPECT_EQ(sign_in("지수", codes["지수"], from("203.0.113.1")).status, 429);
  // Per class: eight failures from many addresses; a new address waits,
  // the class's own address goes on.
  for (int i = 0; i < 2; ++i) sign_in("c", "AAAA-AAAA", from("203.0.113." + std::to_string(50 + i)));
  EXPECT_EQ(sign_in("b", codes["b"], from("203.0.113.99")).status, 429);
  EXPECT_EQ(sign_in("b", codes["b"], from("198.51.100.1")).status, 200);
}

TEST_F(Classroom, AClassKeepsItsAddressesAcrossARestart) {
  // Before: the addresses a class signed in from were kept in memory, so
  // right after a restart one pupil guessing class codes locked every class
  // behind the school's address out.
  const std::string settings =
      std::string(kSettings) + "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[limits]\nlogin_failures_per_minute = 3\n";
  center.reset();
  start(settings);
  const net::Headers school{{"X-Forwarded-For", "203.0.113.5"}};
  auto r = sign_in("민지", "", school);
  ASSERT_EQ(r.status, 200);
  const std::string code = body(r)["code"];
  center.reset();
  start(settings);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sign_in("x", "", school, "ZZZZZ" + std::to_string(i + 2)).status, 401);
  EXPECT_EQ(sign_in("x", "", school, "ZZZZZA").status, 429);  // the guesser waits
  EXPECT_EQ(sign_in("민지", code, school).status, 200);       // the class goes on
}

TEST_F(Classroom, ATeacherPublishesLessonsTheValidatorChecks) {
  const std::string student = body(sign_in("민지"))["token"];
  const std::string text = lesson_text("basics/02-xor-hidden-layer.toml");
  auto r = call("PUT", class_path() + "/lessons/xor-hidden-layer", text, teacher());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["title"]["ko"].get<std::string>().empty(), false);
  EXPECT_EQ(call("PUT", class_path() + "/lessons/xor-hidden-layer", text, teacher()).status, 200);  // replaced
  // A student reads the class's lessons and their files, and cannot publish.
  r = call("GET", class_path() + "/lessons", "", student);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(body(r)["lessons"].size(), 1u);
  EXPECT_EQ(body(r)["lessons"][0]["id"], "xor-hidden-layer");
  r = call("GET", class_path() + "/lessons/xor-hidden-layer", "", student);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, text);
  EXPECT_EQ(call("PUT", class_path() + "/lessons/xor-hidden-layer", text, student).status, 403);
  // Broken lessons are refused with where and what, as `lesson check` says it.
  std::string broken = text;
  broken.replace(broken.find("learning_rate = "), 16, "learning_rate = -");
  r = call("PUT", class_path() + "/lessons/xor-hidden-layer", broken, teacher());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body(r)["field"], "training.learning_rate");
  ASSERT_FALSE(body(r)["problems"].empty());
  EXPECT_NE(body(r)["problems"][0].get<std::string>().find("xor-hidden-layer.toml:"), std::string::npos) << r.body;
  EXPECT_EQ(call("PUT", class_path() + "/lessons/another-id", text, teacher()).status, 422);  // not its id
  EXPECT_EQ(call("PUT", class_path() + "/lessons/x", "format = [[[[", teacher()).status, 422);
  // A lesson on its own CSV: the file would not travel with the text.
  const std::string own = lesson_text("industry/05-pohang-air-csv.toml");
  const std::string own_id =
      own.substr(own.find("id = \"") + 6, own.find('"', own.find("id = \"") + 6) - own.find("id = \"") - 6);
  r = call("PUT", class_path() + "/lessons/" + own_id, own, teacher());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(body(r)["field"], "dataset.source") << r.body;
  EXPECT_NE(body(r)["error"].get<std::string>().find("cannot carry"), std::string::npos) << r.body;
  // Nor would a lesson's trained weights.
  std::string trained = text;
  trained.replace(trained.find("\n[dataset]"), 0, "\ntrained = \"xor.aimodel\"\n");
  r = call("PUT", class_path() + "/lessons/xor-hidden-layer", trained, teacher());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(body(r)["field"], "trained") << r.body;
  // Another class sees nothing of it.
  const json other = test::CenterProcess::create_class(data, "other");
  EXPECT_EQ(call("GET", class_path() + "/lessons", "", other["teacher_token"]).status, 403);
  EXPECT_EQ(call("DELETE", class_path() + "/lessons/xor-hidden-layer", "", teacher()).status, 200);
  EXPECT_EQ(body(call("GET", class_path() + "/lessons", "", student))["lessons"].size(), 0u);
}

TEST_F(Classroom, ProgressReachesTheTeacherAndTheReport) {
  // circle-width: three steps; 0 and 1 have goals, 2 a quiz whose answer is 1.
  ASSERT_EQ(
      call("PUT", class_path() + "/lessons/circle-width", lesson_text("basics/03-circle-width.toml"), teacher()).status,
      201);
  const std::string minji = body(sign_in("민지"))["token"];
  const std::string jisu = body(sign_in("=HYPERLINK(\"x\")"))["token"];
  // 민지 says her wrong answer was right: the lesson's key decides.
  const json p1{{"step", 2},
                {"steps", 3},
                {"goals_met", {0, 1}},
                {"quiz", {{{"step", 2}, {"answer", 0}, {"correct", true}}}},
                {"finished", false}};
  auto r = call("PUT", "/api/v1/progress/circle-width", p1.dump(), minji);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["quiz"][0]["correct"], false);
  const json p2{{"step", 2}, {"steps", 3}, {"quiz", {{{"step", 2}, {"answer", 2}}}}, {"finished", true}};
  ASSERT_EQ(call("PUT", "/api/v1/progress/circle-width", p2.dump(), jisu).status, 200);
  // What the lesson does not have is refused with the field; a lesson the
  // class does not have is not kept at all.
  const auto refused = [&](const json& p) {
    const auto res = call("PUT", "/api/v1/progress/circle-width", p.dump(), minji);
    return res.status == 422 ? body(res)["field"].get<std::string>() : std::to_string(res.status);
  };
  EXPECT_EQ(refused({{"step", 9}, {"steps", 3}}), "step");
  EXPECT_EQ(refused({{"step", 0}, {"steps", 1000}}), "steps");
  EXPECT_EQ(refused({{"step", 0}, {"steps", 3}, {"goals_met", {2}}}), "goals_met");
  EXPECT_EQ(refused({{"step", 0}, {"steps", 3}, {"quiz", {{{"step", 1}, {"answer", 0}}}}}), "quiz");
  EXPECT_EQ(refused({{"step", 0}, {"steps", 3}, {"quiz", {{{"step", 2}}}}}), "quiz[0].answer");
  EXPECT_EQ(call("PUT", "/api/v1/progress/not-published", p1.dump(), minji).status, 404);
  EXPECT_EQ(call("PUT", "/api/v1/progress/circle-width", p1.dump(), teacher()).status, 403);
  EXPECT_EQ(call("PUT", "/api/v1/progress/../x", p1.dump(), minji).status, 404);
  // A second computer that knows less does not take back what the first
  // sent: the furthest step, the goals met and a finish stay.
  r = call("PUT", "/api/v1/progress/circle-width",
           json{{"step", 1}, {"steps", 3}, {"goals_met", {0}}, {"quiz", json::array()}}.dump(), minji);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r)["step"], 1);
  EXPECT_EQ(body(r)["reached"], 2);
  EXPECT_EQ(body(r)["goals_met"], json({0, 1}));
  EXPECT_EQ(body(r)["quiz"].size(), 1u);
  // The student reads their own back (another computer picks up from there).
  r = call("GET", "/api/v1/progress", "", minji);
  EXPECT_EQ(body(r)["lessons"]["circle-width"]["reached"], 2);
  EXPECT_FALSE(body(r)["lessons"]["circle-width"]["updated"].get<std::string>().empty());
  // The teacher: who is where, and the quiz question most got wrong.
  EXPECT_EQ(call("GET", class_path() + "/progress", "", minji).status, 403);
  r = call("GET", class_path() + "/progress", "", teacher());
  ASSERT_EQ(r.status, 200) << r.body;
  const json prog = body(r);
  ASSERT_EQ(prog["students"].size(), 2u);
  EXPECT_EQ(prog["students"][0]["name"], "민지");
  EXPECT_EQ(prog["students"][0]["lessons"]["circle-width"]["reached"], 2);
  EXPECT_EQ(prog["students"][1]["lessons"]["circle-width"]["finished"], true);
  ASSERT_EQ(prog["hardest_quiz"].size(), 1u);
  EXPECT_EQ(prog["hardest_quiz"][0]["step"], 2);
  EXPECT_EQ(prog["hardest_quiz"][0]["wrong"], 2);
  EXPECT_EQ(prog["hardest_quiz"][0]["answered"], 2);
  // The report: CSV with a BOM, one row per student and lesson, and a
  // name that looks like a formula kept as text.
  r = call("GET", class_path() + "/report", "", teacher());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"].rfind("text/csv", 0), 0u);
  ASSERT_EQ(r.body.rfind("\xEF\xBB\xBF"
                         "student,lesson,title,step_reached,steps,goals_met,quiz_correct",
                         0),
            0u);
  EXPECT_NE(r.body.find("\r\n민지,circle-width,"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(",3,3,2,0,1,no,0,"), std::string::npos) << r.body;  // step 3 of 3, goals 0 and 1
  EXPECT_NE(r.body.find("\"'=HYPERLINK(\"\"x\"\")\",circle-width"), std::string::npos) << r.body;
}

TEST_F(Classroom, WhatAPupilSendsIsBoundedBeforeItIsKept) {
  const std::string minji = body(sign_in("민지"))["token"];
  ASSERT_EQ(
      call("PUT", class_path() + "/lessons/circle-width", lesson_text("basics/03-circle-width.toml"), teacher()).status,
      201);
  // A lesson past max_lesson_bytes, a body nested deep, a thousand names.
  EXPECT_EQ(call("PUT", class_path() + "/lessons/big", std::string(300 * 1024, '#'), teacher()).status, 413);
  // A lesson file nested 100,000 deep (toml++ stops at 256) and one of
  // 30,000 texts left open: refused with the line, and the center goes on.
  const std::string deep = "format = 1\nid = \"deep\"\na = " + std::string(100000, '[') + std::string(100000, ']');
  auto deep_r = call("PUT", class_path() + "/lessons/deep", deep, teacher());
  EXPECT_EQ(deep_r.status, 422) << deep_r.body;
  std::string open_texts = "format = 1\nid = \"open\"\n";
  for (int i = 0; i < 30000; ++i) open_texts += "a = \"\"\"\n";
  EXPECT_EQ(call("PUT", class_path() + "/lessons/open", open_texts, teacher()).status, 422);
  EXPECT_EQ(call("GET", "/api/v1/health").status, 200);
  EXPECT_EQ(call("POST", class_path() + "/roster", std::string(5000, '[') + std::string(5000, ']'), teacher()).status,
            400);
  json many = json::array();
  for (int i = 0; i < 1000; ++i)
    many.push_back(std::to_string(i).insert(0, 1, 'n'));  // (not "n" + ...: GCC 12 warns wrongly)
  auto r = call("POST", class_path() + "/roster", json{{"names", many}}.dump(), teacher());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body(call("GET", class_path() + "/roster", "", teacher()))["students"].size(), 1u);
  // Progress: sizes and numbers out of range, and fields that are not ours.
  json big = json::array();
  for (int i = 0; i < 2000; ++i) big.push_back(0);
  const std::string at = "/api/v1/progress/circle-width";
  EXPECT_EQ(call("PUT", at, json{{"step", 0}, {"steps", 3}, {"goals_met", big}}.dump(), minji).status, 422);
  EXPECT_EQ(call("PUT", at, json{{"step", 0}, {"steps", 1e9}}.dump(), minji).status, 422);
  EXPECT_EQ(call("PUT", at, json{{"step", -1}, {"steps", 3}}.dump(), minji).status, 422);
  EXPECT_EQ(call("PUT", at, std::string(70 * 1024, ' '), minji).status, 413);
  r = call("PUT", at, json{{"step", 0}, {"steps", 3}, {"note", std::string(1000, 'x')}}.dump(), minji);
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(body(r).contains("note"));  // kept as checked, not as sent
  EXPECT_EQ(
      call("PUT", "/api/v1/progress/" + std::string(65, 'a'), json{{"step", 0}, {"steps", 2}}.dump(), minji).status,
      404);
}

struct Ran {
  int status;
  std::string out, err;
};

Ran cli(const std::string& args, const fs::path& home) {
  const fs::path err = home / "stderr.txt";
  fs::create_directories(home);
  const std::string cmd =
      "LANG=C LC_ALL=C XDG_CONFIG_HOME=" + home.string() + " " + AISB_CLI + " " + args + " 2>" + err.string();
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  std::ifstream e(err);
  std::stringstream es;
  es << e.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, es.str()};
}

// The token `aisandbox-cli login` saved under `home`.
std::string remote_token(const fs::path& home) {
  std::ifstream in(home / "aisandbox" / "center.toml");
  std::stringstream s;
  s << in.rdbuf();
  std::smatch m;
  const std::string text = s.str();
  return std::regex_search(text, m, std::regex("token = ['\"]([0-9a-f]{64})")) ? m[1].str() : "";
}

TEST_F(Classroom, TheCliSignsInBothWaysAndRunsTheClass) {
  const fs::path teacher_home = data / "teacher", pupil_home = data / "pupil";
  const std::string at = " --center " + center->url();
  // A teacher's token where a class code goes.
  Ran r = cli("login" + at + " --class " + teacher() + " --name 민지", pupil_home);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("use --teacher"), std::string::npos) << r.err;
  // The teacher signs in, adds a roster, publishes a course.
  r = cli("login" + at + " --teacher " + teacher(), teacher_home);
  ASSERT_EQ(r.status, 0) << r.err;
  r = cli("class roster 민지 지수 --json --sheet " + (data / "cards.html").string(), teacher_home);
  ASSERT_EQ(r.status, 0) << r.err;
  const json roster = json::parse(r.out)["students"];
  ASSERT_EQ(roster.size(), 2u);
  {
    std::ifstream in(data / "cards.html");
    std::stringstream page;
    page << in.rdbuf();
    EXPECT_NE(page.str().find(roster[1]["code"].get<std::string>()), std::string::npos);
    EXPECT_NE(page.str().find(class_code()), std::string::npos);   // the teacher's /me says it
    EXPECT_NE(page.str().find(center->url()), std::string::npos);  // where to sign in
  }
  r = cli("class publish " + std::string(AISB_SOURCE_DIR) + "/lessons/basics --json", teacher_home);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GE(json::parse(r.out)["lessons"].size(), 7u);
  // A broken lesson is not sent: the checker's message, exit 1.
  fs::create_directories(data / "broken");
  std::ofstream(data / "broken" / "b.toml") << "format = 1\nid = \"b\"\n[training\n";
  r = cli("class publish " + (data / "broken" / "b.toml").string(), teacher_home);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("b.toml:3:"), std::string::npos) << r.err;
  // The student: the roster name with its code, then a wrong code.
  r = cli("login" + at + " --class " + class_code() + " --name 민지 --code " + roster[0]["code"].get<std::string>(),
          pupil_home);
  EXPECT_EQ(r.status, 0) << r.err;
  r = cli("login" + at + " --class " + class_code() + " --name 지수 --code AAAA-AAAA", pupil_home);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("personal code"), std::string::npos) << r.err;
  // The student's token is not a teacher's.
  EXPECT_EQ(cli("class report", pupil_home).status, 2);
  EXPECT_EQ(cli("class unpublish overfitting", teacher_home).status, 0);
  EXPECT_EQ(call("GET", class_path() + "/lessons/overfitting", "", teacher()).status, 404);
  EXPECT_EQ(cli("class unpublish overfitting", teacher_home).status, 1);  // gone already
  r = cli("class report -o " + (data / "report.csv").string(), teacher_home);
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream csv(data / "report.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find("student,lesson"), std::string::npos);
  // In Korean when asked (--lang, or the locale).
  r = cli("--lang ko class progress", teacher_home);
  EXPECT_EQ(r.status, 0) << r.err;
  r = cli("--lang ko login" + at + " --class " + class_code() + " --name 지수 --code AAAA-AAAA", pupil_home);
  EXPECT_NE(r.err.find("센터가 거절했습니다(401): code: '지수'의 개인 코드가 아닙니다"), std::string::npos) << r.err;
  // Logout ends the token at the center.
  const std::string token = remote_token(pupil_home);
  EXPECT_EQ(cli("logout", pupil_home).status, 0);
  EXPECT_EQ(call("GET", "/api/v1/me", "", token).status, 401);
}

}  // namespace
}  // namespace aisb
