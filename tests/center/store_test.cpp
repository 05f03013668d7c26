#include "center/store.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace aisb::center {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("aisb_center_" + std::to_string(::getpid()));
  void SetUp() override { fs::remove_all(dir); }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(StoreTest, ClassesTokensAndLogins) {
  std::string teacher, student, code, id;
  {
    Store s(dir);
    EXPECT_EQ(s.journal_mode(), "wal");
    const NewClass c = s.create_class("포항고 2-3");
    id = c.info.id;
    code = c.info.code;
    teacher = c.teacher_token;
    EXPECT_TRUE(std::regex_match(code, std::regex("[ACDEFGHJKMNPQRTUVWXY234679]{6}"))) << code;
    EXPECT_TRUE(std::regex_match(teacher, std::regex("[0-9a-f]{64}")));
    EXPECT_NE(s.create_class("another").info.code, code);
    auto t = s.login(code, "민지");
    ASSERT_TRUE(t);
    student = *t;
    EXPECT_NE(student, teacher);
    EXPECT_FALSE(s.login("ZZZZZZ", "민지"));  // an unknown code
    EXPECT_FALSE(s.login(id, "민지"));        // the id is not the code
    EXPECT_THROW(s.login(code, ""), std::invalid_argument);
    EXPECT_THROW(s.login(code, "a\nb"), std::invalid_argument);
  }
  // Everything survives a restart; tokens identify their holders.
  Store s(dir);
  const auto t = s.authenticate(teacher);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, Principal::Kind::teacher);
  EXPECT_EQ(t->class_id, id);
  const auto st = s.authenticate(student);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->kind, Principal::Kind::student);
  EXPECT_EQ(st->name, "민지");
  EXPECT_EQ(st->class_id, id);
  // The same name logs in as the same student, with a new token.
  const auto again = s.login(code, "민지");
  ASSERT_TRUE(again);
  EXPECT_NE(*again, student);
  EXPECT_EQ(s.authenticate(*again)->student_id, st->student_id);
  EXPECT_EQ(s.find_class(code)->students, 1);
  EXPECT_FALSE(s.authenticate(std::string(64, 'a')));
  EXPECT_FALSE(s.authenticate(""));
  EXPECT_FALSE(s.authenticate(teacher.substr(1)));
  // Deleting the class ends its tokens.
  EXPECT_TRUE(s.delete_class(id));
  EXPECT_FALSE(s.delete_class(id));
  EXPECT_FALSE(s.authenticate(teacher));
  EXPECT_FALSE(s.authenticate(student));
  EXPECT_EQ(s.classes().size(), 1u);
}

TEST_F(StoreTest, OnlyHashesOfTokensAreStored) {
  std::string teacher, student;
  {
    Store s(dir);
    const NewClass c = s.create_class("x");
    teacher = c.teacher_token;
    student = *s.login(c.info.code, "a");
  }
  std::string all;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  EXPECT_EQ(all.find(teacher), std::string::npos);
  EXPECT_EQ(all.find(student), std::string::npos);
  EXPECT_NE(all.find(sha256_hex(teacher)), std::string::npos);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

std::pair<int, std::string> run(const std::string& args) {
  std::array<char, 4096> buf{};
  std::string out;
  FILE* p = ::popen((std::string(AISB_CENTER) + " " + args + " 2>&1").c_str(), "r");
  while (fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(StoreTest, OperatorCommands) {
  const std::string d = " --data " + dir.string();
  const auto [code, out] = run("class create \"Pohang High 2-3\"" + d);
  ASSERT_EQ(code, 0) << out;
  const auto j = nlohmann::json::parse(out);
  for (const char* k : {"class", "class_code", "teacher_token", "name"}) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["name"], "Pohang High 2-3");
  const auto [lc, list] = run("class list" + d);
  EXPECT_EQ(lc, 0);
  EXPECT_EQ(nlohmann::json::parse(list)["classes"].size(), 1u);
  EXPECT_FALSE(nlohmann::json::parse(list).dump().find(j["teacher_token"].get<std::string>()) != std::string::npos);
  EXPECT_EQ(run("class show " + j["class_code"].get<std::string>() + d).first, 0);
  EXPECT_EQ(run("class show nope" + d).first, 1);
  EXPECT_EQ(run("class delete " + j["class"].get<std::string>() + d).first, 0);
  EXPECT_EQ(run("class delete " + j["class"].get<std::string>() + d).first, 1);
  EXPECT_EQ(run("class create x").first, 2);  // no --data
  EXPECT_EQ(run("fly").first, 2);
  EXPECT_EQ(run("--version").first, 0);
}

}  // namespace
}  // namespace aisb::center
