#include "center/store.hpp"

#include "center/config.hpp"
#include "center/data_store.hpp"
#include "data/data_pack.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace aisb::center {
namespace {

// Signs in as a pupil does: the class by its code, a name, and the personal
// code that name got at its first sign-in (remembered here). None for an
// unknown class code or a refused sign-in.
std::optional<std::string> sign_in(Store& s, const std::string& class_code, const std::string& name,
                                   int64_t max_students = INT64_MAX, int64_t token_seconds = kDefaultTokenSeconds,
                                   int64_t max_tokens = kDefaultMaxTokensPerStudent) {
  static std::map<std::string, std::string> codes;  // class id + name -> personal code
  const auto c = s.find_class(class_code);
  if (!c || c->code != Store::normalize_code(class_code)) return std::nullopt;
  std::string why;
  const std::string key = c->id + " " + Store::normalize_name(name, &why);
  const SignIn in = s.sign_in(c->id, name, codes[key], max_students, token_seconds, max_tokens);
  if (!in.new_code.empty()) codes[key] = in.new_code;
  if (in.result != SignIn::Result::ok) return std::nullopt;
  return in.token;
}

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
    auto t = sign_in(s, code, "민지");
    ASSERT_TRUE(t);
    student = *t;
    EXPECT_NE(student, teacher);
    EXPECT_FALSE(sign_in(s, "ZZZZZZ", "민지"));  // an unknown code
    EXPECT_FALSE(sign_in(s, id, "민지"));        // the id is not the code
    EXPECT_THROW(sign_in(s, code, ""), std::invalid_argument);
    EXPECT_THROW(sign_in(s, code, "a\nb"), std::invalid_argument);
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
  const auto again = sign_in(s, code, "민지");
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
    student = *sign_in(s, c.info.code, "a");
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

// Moves every token's issue time `seconds` into the past, as if issued then.
void age_tokens(const fs::path& dir, int64_t seconds) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "center.db").c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE tokens SET created = created - " + std::to_string(seconds);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

int64_t count_tokens(const fs::path& dir) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / "center.db").c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM tokens", -1, &s, nullptr);
  sqlite3_step(s);
  const int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST_F(StoreTest, StudentTokensExpireAndCanBeRevoked) {
  Store s(dir);
  const NewClass c = s.create_class("x");
  const std::string old = *sign_in(s, c.info.code, "a");
  ASSERT_TRUE(s.authenticate(old));
  age_tokens(dir, 31 * 86400);
  EXPECT_FALSE(s.authenticate(old)) << "a 31-day-old token lets its holder in (default lifetime 30 days)";
  EXPECT_TRUE(s.authenticate(old, 40 * 86400));  // the lifetime is the caller's setting
  EXPECT_FALSE(s.authenticate(old, 3600));
  // The teacher's token is printed once, at creation: it does not expire.
  EXPECT_TRUE(s.authenticate(c.teacher_token, 1));
  // A new login drops the student's expired tokens, so the table does not
  // grow with every login.
  const std::string fresh = *sign_in(s, c.info.code, "a");
  EXPECT_EQ(count_tokens(dir), 1);
  EXPECT_FALSE(s.authenticate(old, 40 * 86400));
  // Logging out ends one token, not the student's others.
  const std::string other = *sign_in(s, c.info.code, "a");
  EXPECT_TRUE(s.revoke_token(fresh));
  EXPECT_FALSE(s.authenticate(fresh));
  EXPECT_FALSE(s.revoke_token(fresh));
  EXPECT_TRUE(s.authenticate(other));
  EXPECT_FALSE(s.revoke_token(c.teacher_token));  // not a student's token
  EXPECT_TRUE(s.authenticate(c.teacher_token));
}

TEST_F(StoreTest, AClassHasAtMostSoManyStudents) {
  Store s(dir);
  const NewClass c = s.create_class("x");
  EXPECT_TRUE(sign_in(s, c.info.code, "a", 2));
  EXPECT_TRUE(sign_in(s, c.info.code, "b", 2));
  EXPECT_THROW(sign_in(s, c.info.code, "invented", 2), QuotaError);
  EXPECT_TRUE(sign_in(s, c.info.code, "a", 2));  // a name in use still logs in
  EXPECT_EQ(s.find_class(c.info.code)->students, 2);
  EXPECT_EQ(Store::check_name(""), "name: 1 to 40 characters, please");
  EXPECT_EQ(Store::check_name("민지"), "");
}

TEST_F(StoreTest, AStudentKeepsAtMostSoManyTokens) {
  Store s(dir);
  const NewClass c = s.create_class("x");
  const std::string classmate = *sign_in(s, c.info.code, "b");
  // Ten devices by default: an eleventh login logs the oldest out.
  std::vector<std::string> tokens;
  for (int i = 0; i < 11; ++i) tokens.push_back(*sign_in(s, c.info.code, "a"));
  EXPECT_EQ(count_tokens(dir), 11);  // ten of a's and b's one
  EXPECT_FALSE(s.authenticate(tokens[0])) << "the oldest of eleven tokens still lets its holder in";
  for (int i = 1; i < 11; ++i) EXPECT_TRUE(s.authenticate(tokens[i])) << i;
  EXPECT_TRUE(s.authenticate(classmate)) << "a classmate's token went with them";
  // The cap is the caller's setting ([limits] max_tokens_per_student).
  const std::string first = *sign_in(s, c.info.code, "c", INT64_MAX, kDefaultTokenSeconds, 2);
  const std::string second = *sign_in(s, c.info.code, "c", INT64_MAX, kDefaultTokenSeconds, 2);
  EXPECT_TRUE(s.authenticate(first));
  const std::string third = *sign_in(s, c.info.code, "c", INT64_MAX, kDefaultTokenSeconds, 2);
  EXPECT_FALSE(s.authenticate(first));
  EXPECT_TRUE(s.authenticate(second));
  EXPECT_TRUE(s.authenticate(third));
  EXPECT_EQ(count_tokens(dir), 13);
}

TEST_F(StoreTest, LookAlikeNamesAreOneStudent) {
  Store s(dir);
  const NewClass c = s.create_class("x");
  const auto student_of = [&](const std::string& name) {
    const auto t = sign_in(s, c.info.code, name);
    return t ? s.authenticate(*t).value_or(Principal{}) : Principal{};
  };
  const Principal bob = student_of("bob");
  EXPECT_EQ(bob.name, "bob");
  // Surrounding white space, ASCII or not, and full-width letters.
  for (const char* same :
       {"bob ", " bob", "\tbob\t", "bob\u3000", "\u00a0bob\u2009", "\uff42\uff4f\uff42", "\u3000\uff42ob "}) {
    const Principal p = student_of(same);
    EXPECT_EQ(p.student_id, bob.student_id) << "'" << same << "' is another student";
    EXPECT_EQ(p.name, "bob") << same;
  }
  EXPECT_EQ(student_of("\uff2a\uff4f\uff0d\uff11").name, "Jo-1");  // full-width ASCII of every kind
  EXPECT_EQ(student_of("bob smith").name, "bob smith");            // white space inside stays
  // Invisible and direction-changing characters are refused.
  for (const char* bad : {"b\u200bob", "bob\u200f", "\u202ebob", "bo\u2060b", "\u2066bob\u2069", "bo\u00adb",
                          "\ufeffbob", "bob\u2064", "bob\u200d"}) {
    EXPECT_THROW(sign_in(s, c.info.code, bad), std::invalid_argument) << bad;
    EXPECT_NE(Store::check_name(bad).find("invisible"), std::string::npos) << bad << ": " << Store::check_name(bad);
  }
  // Nothing but white space, control characters (C1 too) and broken UTF-8.
  for (const char* bad : {" ", "\u3000\t", "a\u0085b", "a\x7f", "\xff", "b\xc3", "\xc0\xaf", "\xed\xa0\x80"}) {
    EXPECT_THROW(sign_in(s, c.info.code, bad), std::invalid_argument) << bad;
  }
  // 1 to 40 characters, counted as characters.
  std::string forty_hangul;
  for (int i = 0; i < 40; ++i) forty_hangul += "민";
  EXPECT_EQ(Store::check_name(forty_hangul), "");
  EXPECT_EQ(Store::check_name(forty_hangul + "민"), "name: 1 to 40 characters, please");
  EXPECT_EQ(Store::check_name(std::string(40, 'a')), "");
  EXPECT_EQ(Store::check_name(std::string(41, 'a')), "name: 1 to 40 characters, please");
  EXPECT_EQ(Store::check_name(std::string(40, 'a') + "  "), "");  // trimmed first
}

TEST_F(StoreTest, JobsByIdempotencyKeyAndTheClassesPendingTime) {
  Store s(dir);
  const NewClass c = s.create_class("x");
  const auto who = *s.authenticate(*sign_in(s, c.info.code, "a"));
  JobRecord r;
  r.id = new_job_id();  // the gateway picks the id: the folder is written before the row
  r.class_id = who.class_id;
  r.owner = who.student_id;
  r.estimate_seconds = 30;
  r.idempotency_key = "k1";
  const JobRecord first = s.add_job(r);
  EXPECT_EQ(first.id, r.id);
  EXPECT_EQ(s.job_by_idempotency_key(who.student_id, "k1", 0)->id, first.id);
  EXPECT_FALSE(s.job_by_idempotency_key(who.student_id, "k2", 0));
  EXPECT_FALSE(s.job_by_idempotency_key("s-other", "k1", 0));                       // another student's key
  EXPECT_FALSE(s.job_by_idempotency_key(who.student_id, "k1", first.created + 1));  // older than the window
  r.id.clear();
  r.idempotency_key.clear();
  r.estimate_seconds = 10;
  const JobRecord second = s.add_job(r);
  EXPECT_EQ(second.id.size(), 17u);
  EXPECT_EQ(s.count_jobs_of_class(who.class_id, "queued"), 2);
  EXPECT_EQ(s.count_jobs_of_class("c-other", "queued"), 0);
  // Queued: the whole estimate. Running: what its estimate has left.
  EXPECT_EQ(s.class_pending_ms(who.class_id, first.created), 40000);
  JobRecord running = second;
  running.state = "running";
  running.started = 1000000;
  s.update_job(running);
  EXPECT_EQ(s.class_pending_ms(who.class_id, 1000000 + 4000), 30000 + 6000);
  EXPECT_EQ(s.class_pending_ms(who.class_id, 1000000 + 60000), 30000);
}

TEST_F(StoreTest, OnlyOneCenterServesADataFolder) {
  fs::create_directories(dir);
  {
    const DataLock first(dir);
    try {
      const DataLock second(dir);
      ADD_FAILURE() << "two locks on one data folder";
    } catch (const StoreError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(dir.string()), std::string::npos) << what;
      EXPECT_NE(what.find("pid " + std::to_string(::getpid())), std::string::npos) << what;
    }
    // Not from another process either.
    const pid_t child = ::fork();
    if (child == 0) {
      try {
        const DataLock other(dir);
        ::_exit(0);
      } catch (const StoreError&) {
        ::_exit(3);
      }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 3);
  }
  const DataLock again(dir);  // released with its holder
}

TEST_F(StoreTest, TheDataFolderIsTheOwnersAlone) {
  {
    Store s(dir);
    s.create_class("x");
  }
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir / "center.db"), 0600u);
  // A folder an older version left readable to all is tightened at serve.
  fs::permissions(dir, fs::perms(0755));
  fs::permissions(dir / "center.db", fs::perms(0644));
  secure_data_folder(dir);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir / "jobs"), 0700u);
  EXPECT_EQ(mode_of(dir / "center.db"), 0600u);
}

TEST(CenterConfig, ServerSettingsReadAndCheck) {
  const Config c = parse_config(
      "[server]\nmax_connections = 50\nmax_connections_per_address = 7\n"
      "head_timeout_seconds = 2\nidle_timeout_seconds = 3\nbody_timeout_seconds = 4\n"
      "write_timeout_seconds = 5\n",
      "center.toml");
  EXPECT_EQ(c.server.max_connections, 50);
  EXPECT_EQ(c.server.max_connections_per_address, 7);
  EXPECT_EQ(c.server.head_timeout_seconds, 2);
  EXPECT_EQ(c.server.idle_timeout_seconds, 3);
  EXPECT_EQ(c.server.body_timeout_seconds, 4);
  EXPECT_EQ(c.server.write_timeout_seconds, 5);
  try {
    parse_config("[server]\nhead_timeout_seconds = 0\n", "center.toml");
    ADD_FAILURE() << "a zero deadline was taken";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("center.toml:2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("server.head_timeout_seconds"), std::string::npos) << e.what();
  }
}

TEST(CenterConfig, TrustedProxiesAreAListOfAddressesOrNetworks) {
  // None by default: a proxy on the same machine is named (["127.0.0.1"]),
  // or any local process could pick the address it is limited as.
  EXPECT_TRUE(parse_config("", "c.toml").trusted_proxies.empty());
  const Config c = parse_config(
      "[server]\ntrusted_proxies = [\"10.1.2.3\", \"192.168.0.0/16\", \"fd00::/8\"]\n"
      "[limits]\nlogin_failures_per_minute = 7\ntoken_days = 2\nmax_students_per_class = 40\n"
      "max_tokens_per_student = 3\nlogins_per_minute = 5\n",
      "c.toml");
  EXPECT_EQ(c.trusted_proxies.size(), 3u);
  EXPECT_EQ(c.limits.login_failures_per_minute, 7);
  EXPECT_EQ(c.limits.token_days, 2);
  EXPECT_EQ(c.limits.max_students_per_class, 40);
  EXPECT_EQ(c.limits.max_tokens_per_student, 3);
  EXPECT_EQ(parse_config("", "c.toml").limits.max_tokens_per_student, 10);
  EXPECT_TRUE(address_in("10.1.2.3", c.trusted_proxies));
  EXPECT_TRUE(address_in("::ffff:10.1.2.3", c.trusted_proxies));  // the same address, IPv4-mapped
  EXPECT_TRUE(address_in("192.168.77.1", c.trusted_proxies));
  EXPECT_TRUE(address_in("fd12::1", c.trusted_proxies));
  EXPECT_FALSE(address_in("10.1.2.4", c.trusted_proxies));
  EXPECT_FALSE(address_in("192.169.0.1", c.trusted_proxies));
  EXPECT_FALSE(address_in("not an address", c.trusted_proxies));
  EXPECT_TRUE(parse_config("[server]\ntrusted_proxies = []\n", "c.toml").trusted_proxies.empty());
  for (const char* bad :
       {"[server]\ntrusted_proxies = [\"nginx\"]\n", "[server]\ntrusted_proxies = \"10.0.0.1\"\n",
        "[server]\ntrusted_proxies = [1]\n", "[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n",
        "[server]\ntrusted_proxie = []\n", "[limits]\ntoken_days = 0\n", "[limits]\nmax_tokens_per_student = 0\n"}) {
    EXPECT_THROW(parse_config(bad, "c.toml"), ConfigError) << bad;
  }
  try {
    parse_config("[server]\ntrusted_proxies = [\"10.0.0.1\", \"nginx\"]\n", "c.toml");
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("c.toml:2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'nginx' is not an IP address"), std::string::npos) << e.what();
  }
}

TEST(RateTable, StaysBoundedAndNeverForgetsALimitInForce) {
  RateTable t(100);
  double retry = 0;
  const double now = 1000;
  // "a" spends its allowance.
  EXPECT_TRUE(t.take("a", 2, now, &retry));
  EXPECT_TRUE(t.take("a", 2, now, &retry));
  EXPECT_FALSE(t.take("a", 2, now, &retry));
  EXPECT_NEAR(retry, 30, 1e-9);
  // A flood of new keys (random tokens, invented names): the table stays
  // bounded, and "a" is not forgotten to make room.
  int refused = 0;
  for (int i = 0; i < 100000; ++i) {
    if (!t.take(std::to_string(i).insert(0, 1, 'k'), 1, now + i * 1e-6, &retry)) ++refused;
  }
  EXPECT_LE(t.size(), 100u);
  EXPECT_GT(refused, 0);
  EXPECT_FALSE(t.take("a", 2, now + 0.2, &retry));
  EXPECT_FALSE(t.has("a", 2, now + 0.2));
  // Buckets that filled up again make room.
  EXPECT_TRUE(t.take("new", 1, now + 61, &retry));
  EXPECT_TRUE(t.has("a", 2, now + 61));
  EXPECT_LE(t.size(), 100u);
  EXPECT_TRUE(t.has("unknown", 1, now));  // no bucket: a full one
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

TEST_F(StoreTest, NamesAreNfcAndCodesAreTypedForgivingly) {
  std::string why;
  // Composed and decomposed forms are one name (before: two students).
  EXPECT_EQ(Store::normalize_name("Jose\u0301", &why), "Jos\u00e9");
  EXPECT_EQ(Store::normalize_name("\u1106\u1175\u11ab\u110c\u1175", &why), "민지");  // jamo, as macOS sends them
  // 40 syllables typed as 120 jamo are 40 characters.
  std::string jamo40;
  for (int i = 0; i < 40; ++i) jamo40 += "\u1100\u1161\u11a8";  // 각
  EXPECT_EQ(Store::check_name(jamo40), "");
  EXPECT_EQ(Store::check_name(jamo40 + "\u1100\u1161"), "name: 1 to 40 characters, please");
  EXPECT_EQ(Store::normalize_code(" k7qp-3m "), "K7QP3M");
  EXPECT_EQ(Store::normalize_code("\uff4b\uff17\uff51\uff50\u3000\uff13\uff4d"), "K7QP3M");  // full-width
  EXPECT_EQ(Store::normalize_code("K7QP3M!"), "");
  EXPECT_EQ(Store::normalize_code("민지"), "");
  const std::string code = Store::new_personal_code();
  EXPECT_TRUE(std::regex_match(code, std::regex("[ACDEFGHJKMNPQRTUVWXY234679]{4}-[ACDEFGHJKMNPQRTUVWXY234679]{4}")));
  const std::string hash = Store::hash_code(code);
  EXPECT_EQ(hash.rfind("pbkdf2-sha256$", 0), 0u);
  EXPECT_EQ(hash.find(code.substr(0, 4)), std::string::npos);
  EXPECT_NE(Store::hash_code(code), hash);  // a salt of its own
  std::string typed = code;
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(Store::code_matches(typed, hash));
  EXPECT_FALSE(Store::code_matches("AAAA-AAAA", hash));
  EXPECT_FALSE(Store::code_matches(code, "pbkdf2-sha256$999999999$00$00"));
  EXPECT_FALSE(Store::code_matches(code, ""));
}

TEST_F(StoreTest, ARosterIsAddedWholeOrNotAtAll) {
  Store s(dir);
  const NewClass c = s.create_class("2-3");
  EXPECT_FALSE(s.roster_only(c.info.id));
  const auto codes = s.roster_add(c.info.id, {"민지", " 지수 "});
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[1].name, "지수");
  EXPECT_TRUE(s.roster_only(c.info.id));
  EXPECT_THROW(s.roster_add(c.info.id, {"서연", "민지"}), std::invalid_argument);
  EXPECT_THROW(s.roster_add(c.info.id, {"a", "b"}, 3), QuotaError);
  EXPECT_EQ(s.students(c.info.id).size(), 2u);  // nothing of the refused ones
  EXPECT_EQ(s.sign_in(c.info.id, "서연", "").result, SignIn::Result::not_on_roster);
  EXPECT_EQ(s.sign_in(c.info.id, "민지", "").result, SignIn::Result::code_needed);
  EXPECT_EQ(s.sign_in(c.info.id, "민지", codes[1].code).result, SignIn::Result::wrong_code);
  const SignIn in = s.sign_in(c.info.id, "민지", codes[0].code);
  ASSERT_EQ(in.result, SignIn::Result::ok);
  EXPECT_TRUE(in.new_code.empty());
  EXPECT_TRUE(s.authenticate(in.token));
  const auto fresh = s.reset_code(c.info.id, "민지");
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(s.authenticate(in.token)) << "a reset code leaves the old tokens working";
  EXPECT_EQ(s.sign_in(c.info.id, "민지", codes[0].code).result, SignIn::Result::wrong_code);
  EXPECT_EQ(s.sign_in(c.info.id, "민지", fresh->code).result, SignIn::Result::ok);
  EXPECT_FALSE(s.reset_code(c.info.id, "nobody"));
}

TEST_F(StoreTest, ANewNameIsClaimedOnceWhenManySignInAtOnce) {
  // The code's slow hash is made outside the store's lock: the name is
  // looked up again before it is written, so one sign-in claims it.
  Store s(dir);
  const NewClass c = s.create_class("2-3");
  std::vector<SignIn> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) threads.emplace_back([&, i] { got[i] = s.sign_in(c.info.id, "민지", ""); });
  for (auto& t : threads) t.join();
  int claimed = 0;
  for (const SignIn& g : got) {
    if (g.result == SignIn::Result::ok) {
      ++claimed;
      EXPECT_FALSE(g.new_code.empty());
    } else {
      EXPECT_EQ(g.result, SignIn::Result::code_needed);
    }
  }
  EXPECT_EQ(claimed, 1);
  EXPECT_EQ(s.students(c.info.id).size(), 1u);
}

TEST_F(StoreTest, AnOperatorPrintsARosterWithCodes) {
  const std::string d = " --data " + dir.string();
  const auto created = nlohmann::json::parse(run("class create \"2-3\"" + d).second);
  const std::string code = created["class_code"];
  const fs::path sheet = dir.parent_path() / ("aisb_sheet_" + std::to_string(::getpid()) + ".html");
  const auto [rc, out] = run("class roster add " + code + " 민지 \"김 지수\" --sheet " + sheet.string() + d);
  ASSERT_EQ(rc, 0) << out;
  const auto added = nlohmann::json::parse(out.substr(0, out.find('\n')))["students"];  // then "wrote 2 card(s)"
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[1]["name"], "김 지수");
  std::ifstream in(sheet);
  std::stringstream page;
  page << in.rdbuf();
  fs::remove(sheet);
  EXPECT_NE(page.str().find(added[0]["code"].get<std::string>()), std::string::npos);
  EXPECT_NE(page.str().find(code), std::string::npos);
  EXPECT_NE(page.str().find("개인 코드"), std::string::npos);
  EXPECT_EQ(run("class roster add " + code + " 민지" + d).first, 1);  // on the roster already
  const auto [lc, listed] = run("class roster list " + code + d);
  EXPECT_EQ(nlohmann::json::parse(listed)["roster_only"], true);
  const auto [xc, reset] = run("class roster reset " + code + " 민지" + d);
  ASSERT_EQ(xc, 0);
  EXPECT_NE(nlohmann::json::parse(reset)["students"][0]["code"], added[0]["code"]);
}

TEST_F(StoreTest, AnOperatorGivesBackTheNamesAPupilInvented) {
  const std::string d = " --data " + dir.string();
  const auto created = nlohmann::json::parse(run("class create \"2-3\"" + d).second);
  const std::string code = created["class_code"];
  std::string token;
  {
    Store store(dir);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(sign_in(store, code, "fake " + std::to_string(i)));
    token = *sign_in(store, code, "민지");
  }
  const auto [lc, listed] = run("class students " + code + d);
  ASSERT_EQ(lc, 0) << listed;
  EXPECT_EQ(nlohmann::json::parse(listed)["students"].size(), 4u);
  EXPECT_EQ(run("class remove-student " + code + " \"fake 1\"" + d).first, 0);
  EXPECT_EQ(run("class remove-student " + code + " \"fake 1\"" + d).first, 1);  // gone already
  EXPECT_EQ(run("class remove-student " + code + " \"민지\"" + d).first, 0);
  Store store(dir);
  EXPECT_EQ(store.student_names(created["class"]), (std::vector<std::string>{"fake 0", "fake 2"}));
  EXPECT_FALSE(store.authenticate(token)) << "a removed student's token still works";
}

// Uploaded data on the center's disk (data_store.hpp): kept only whole and
// matching, counted per class, and swept once stale, but never while a
// queued or running job names it.
TEST_F(StoreTest, UploadedDataIsKeptWholeCountedPerClassAndSweptWhenStale) {
  Store s(dir);
  const std::string a = s.create_class("a").info.id, b = s.create_class("b").info.id;
  DataLimits limits;
  limits.class_quota_bytes = 100;
  limits.min_free_bytes = 0;
  DataStore d(s, dir / "data", limits);
  d.start();
  const auto upload = [&](const std::string& klass, const std::string& bytes, const std::string& sha) {
    auto o = d.open(klass, "s-" + klass, "s-" + klass, sha, static_cast<int64_t>(bytes.size()));
    if (!o.upload) return std::string(o.refused == DataStore::Opened::Refusal::held ? "held" : "refused");
    EXPECT_TRUE(o.upload->write(bytes));
    switch (o.upload->commit()) {
      case DataUpload::Result::created:
        return std::string("created");
      case DataUpload::Result::held:
        return std::string("held");
      case DataUpload::Result::mismatch:
        return std::string("mismatch");
      default:
        return std::string("other");
    }
  };
  const std::string table = std::string(60, 't');
  EXPECT_EQ(upload(a, table, sha256_hex("something else")), "mismatch");
  EXPECT_EQ(upload(a, table, sha256_hex(table)), "created");
  EXPECT_EQ(upload(a, table, sha256_hex(table)), "held");
  EXPECT_TRUE(d.held(a, sha256_hex(table)));
  EXPECT_FALSE(d.held(b, sha256_hex(table)));  // another class's until it uploads it too
  EXPECT_EQ(s.class_data_bytes(a), 60);
  // 60 + 60 is past a quota of 100 for class a, not for b.
  const std::string other = std::string(60, 'o');
  auto refused = d.open(a, "s-a", "s-a", sha256_hex(other), 60);
  EXPECT_EQ(refused.refused, DataStore::Opened::Refusal::over_quota);
  EXPECT_EQ(refused.limit, 100);
  EXPECT_EQ(upload(b, table, sha256_hex(table)), "created");  // the same file, counted for b too
  EXPECT_EQ(s.class_data_bytes(b), 60);
  // An upload let go before its commit leaves nothing.
  {
    auto o = d.open(b, "s-b", "s-b", sha256_hex("xyz"), 3);
    ASSERT_TRUE(o.upload);
    EXPECT_TRUE(o.upload->write("xy"));
  }
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "data")) names.insert(e.path().filename().string());
  EXPECT_EQ(names, std::set<std::string>{sha256_hex(table)});
  // Stale after `days` without use, but not while a queued job names it.
  JobRecord job;
  job.class_id = a;
  job.owner = "s-a";
  job.owner_name = "a";
  job.lesson = "t";
  job.data_sha256 = sha256_hex(table);
  JobRecord queued = s.add_job(job);
  const int64_t later = std::time(nullptr) + 40 * 86400;
  EXPECT_EQ(d.sweep(30, later).first, 0);
  EXPECT_TRUE(fs::exists(dir / "data" / sha256_hex(table)));
  queued.state = "done";
  s.update_job(queued);
  EXPECT_EQ(d.sweep(0, later).first, 0) << "days = 0 keeps everything";
  EXPECT_EQ(d.sweep(30, later), std::make_pair(1, int64_t{60}));
  EXPECT_FALSE(fs::exists(dir / "data" / sha256_hex(table)));
  EXPECT_FALSE(d.held(a, sha256_hex(table)));
  EXPECT_EQ(s.class_data_bytes(a), 0);
  EXPECT_EQ(s.class_data_bytes(b), 0);
}

}  // namespace
}  // namespace aisb::center
