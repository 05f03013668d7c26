// The classroom part of the API (docs/api.md): the teacher's roster of
// names and personal codes, lessons published to the class, students'
// progress through them, and the class's report as CSV. Lesson files are
// checked by the one validator (parse_lesson) before they are kept;
// progress is rebuilt from checked fields, never stored as sent.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <set>

#include "center/gateway.hpp"
#include "center/gateway_util.hpp"
#include "core/event_log.hpp"
#include "core/json_text.hpp"
#include "lesson/lesson.hpp"

using nlohmann::json;

namespace aisb::center {

using namespace detail;

namespace {

constexpr size_t kMaxProgressBytes = 64 * 1024;
constexpr int kMaxSteps = 1000;

bool is_lesson_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string iso_date(int64_t seconds) {
  if (seconds <= 0) return "";
  const std::time_t t = seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json lesson_json(const ClassLesson& l) {
  return {{"id", l.id},         {"position", l.position},
          {"sha256", l.sha256}, {"title", {{"ko", l.title_ko}, {"en", l.title_en}}},
          {"steps", l.steps},   {"updated", iso_date(l.updated)}};
}

// A whole number in [lo, hi] at body[key], or why not.
std::optional<int> int_in(const json& body, const char* key, int lo, int hi, std::string* why) {
  if (!body.contains(key) || !body[key].is_number_integer()) {
    *why = std::string("'") + key + "' must be a whole number";
    return std::nullopt;
  }
  const int64_t v = body[key].get<int64_t>();
  if (v < lo || v > hi) {
    *why = std::string("'") + key + "' must be from " + std::to_string(lo) + " to " + std::to_string(hi);
    return std::nullopt;
  }
  return static_cast<int>(v);
}

// The progress a client sent, rebuilt from its checked fields; null and
// `why`/`field` set when something is wrong.
json checked_progress(const json& body, std::string* why, std::string* field) {
  json out;
  const auto fail = [&](const std::string& f) {
    *field = f;
    return json();
  };
  if (!body.is_object()) {
    *why = "expected an object: {\"step\", \"steps\", \"reached\", \"goals_met\", \"quiz\", \"finished\"}";
    return fail("");
  }
  const auto steps = int_in(body, "steps", 1, kMaxSteps, why);
  if (!steps) return fail("steps");
  const auto step = int_in(body, "step", 0, *steps - 1, why);
  if (!step) return fail("step");
  int reached = *step;
  if (body.contains("reached")) {
    const auto r = int_in(body, "reached", 0, *steps - 1, why);
    if (!r) return fail("reached");
    reached = std::max(*r, *step);
  }
  std::set<int> goals;
  if (body.contains("goals_met")) {
    const json& g = body["goals_met"];
    if (!g.is_array() || g.size() > static_cast<size_t>(*steps)) {
      *why = "'goals_met' must be a list of step numbers";
      return fail("goals_met");
    }
    for (const json& v : g) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= *steps) {
        *why = "'goals_met' must be a list of step numbers from 0 to " + std::to_string(*steps - 1);
        return fail("goals_met");
      }
      goals.insert(v.get<int>());
    }
  }
  json quiz = json::array();
  if (body.contains("quiz")) {
    const json& q = body["quiz"];
    if (!q.is_array() || q.size() > static_cast<size_t>(*steps)) {
      *why = "'quiz' must be a list of {\"step\", \"answer\", \"correct\"}";
      return fail("quiz");
    }
    std::set<int> seen;
    for (size_t i = 0; i < q.size(); ++i) {
      const std::string f = "quiz[" + std::to_string(i) + "]";
      if (!q[i].is_object()) {
        *why = "each quiz answer is {\"step\", \"answer\", \"correct\"}";
        return fail(f);
      }
      const auto s = int_in(q[i], "step", 0, *steps - 1, why);
      if (!s) return fail(f + ".step");
      const auto a = int_in(q[i], "answer", 0, 99, why);
      if (!a) return fail(f + ".answer");
      // (Whether it is right is the lesson's to say: "correct" is not read.)
      if (!seen.insert(*s).second) {
        *why = "one answer a quiz step";
        return fail(f + ".step");
      }
      int tries = 1;
      if (q[i].contains("tries")) {
        const auto t = int_in(q[i], "tries", 1, 1000, why);
        if (!t) return fail(f + ".tries");
        tries = *t;
      }
      quiz.push_back({{"step", *s}, {"answer", *a}, {"correct", false}, {"tries", tries}});
    }
  }
  bool finished = false;
  if (body.contains("finished")) {
    if (!body["finished"].is_boolean()) {
      *why = "'finished' must be true or false";
      return fail("finished");
    }
    finished = body["finished"].get<bool>();
  }
  out = {{"step", *step},      {"steps", *steps}, {"reached", reached},
         {"goals_met", goals}, {"quiz", quiz},    {"finished", finished}};
  return out;
}

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
// break; a leading = + - @ gets a quote mark so a spreadsheet does not run
// a student's name as a formula.
std::string csv_field(std::string v) {
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t')) v.insert(0, "'");
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

std::optional<net::Response> Gateway::classroom(const std::vector<std::string>& parts, const net::Request& req,
                                                const Caller& who) {
  const auto wrong_method = [&](const std::string& allowed) {
    net::Response r = error(405, req.method + " is not allowed here; use " + allowed);
    r.headers.push_back({"Allow", allowed});
    return r;
  };
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (parts.size() == 2 && parts[0] == "progress") {
    if (who.teacher()) return error(403, "progress is a student's; the teacher reads the class's");
    if (!is_lesson_id(parts[1])) return error(404, "a lesson id is 1 to 64 letters a-z, digits and '-'");
    if (req.method != "PUT") return wrong_method("PUT");
    return put_progress(parts[1], req, who);
  }
  if (parts.size() == 1 && parts[0] == "progress") {
    if (who.teacher()) return error(403, "progress is a student's; the teacher reads the class's");
    if (!get) return wrong_method("GET");
    json lessons = json::object();
    for (const ProgressRow& r : store_.progress_of_student(who.who.student_id)) {
      lessons[r.lesson] = parse_json(r.data);
      lessons[r.lesson]["updated"] = iso_date(r.updated);
    }
    return reply(200, {{"lessons", lessons}});
  }
  if (parts.size() < 3 || parts[0] != "classes" || parts[2] == "jobs") return std::nullopt;
  // Nothing of another class: the same answer whether it exists or not.
  if (parts[1] != who.who.class_id) return error(403, "this token is not of that class");
  const std::string& what = parts[2];
  if (what == "lessons") {
    if (parts.size() == 3) {
      if (!get) return wrong_method("GET");
      json list = json::array();
      for (const ClassLesson& l : store_.class_lessons(who.who.class_id)) list.push_back(lesson_json(l));
      return reply(200, {{"lessons", list}});
    }
    if (parts.size() != 4) return std::nullopt;
    const std::string& id = parts[3];
    if (!is_lesson_id(id)) return error(404, "a lesson id is 1 to 64 letters a-z, digits and '-'");
    if (get) {
      const auto l = store_.class_lesson(who.who.class_id, id);
      if (!l) return error(404, "no lesson '" + id + "' in this class");
      net::Response r;
      r.content_type = "application/toml; charset=utf-8";
      r.body = l->text;
      r.headers.push_back({"ETag", "\"" + l->sha256 + "\""});
      return r;
    }
    if (!who.teacher()) return error(403, "only the class's teacher publishes lessons");
    if (req.method == "PUT") return publish(id, req, who);
    if (req.method == "DELETE") {
      if (!store_.delete_lesson(who.who.class_id, id)) return error(404, "no lesson '" + id + "' in this class");
      return reply(200, {{"deleted", id}});
    }
    return wrong_method("GET, PUT, DELETE");
  }
  if (!who.teacher()) {
    return error(403, what == "roster" ? "only the class's teacher sees and changes the roster"
                                       : "only the class's teacher sees this");
  }
  if (what == "roster" && parts.size() <= 4) {
    const std::string action = parts.size() == 4 ? parts[3] : "";
    if (action.empty() && !get && req.method != "POST") return wrong_method("GET, POST");
    if (!action.empty() && req.method != "POST") return wrong_method("POST");
    return roster(action, req, who);
  }
  if (what == "progress" && parts.size() == 3) return get ? class_progress(who) : wrong_method("GET");
  if (what == "report" && parts.size() == 3) return get ? class_report(who, req) : wrong_method("GET");
  return std::nullopt;
}

net::Response Gateway::roster(const std::string& action, const net::Request& req, const Caller& who) {
  const std::string& class_id = who.who.class_id;
  if (action.empty() && (req.method == "GET" || req.method == "HEAD")) {
    json list = json::array();
    for (const StudentRow& s : store_.students(class_id)) {
      list.push_back({{"name", s.name},
                      {"signed_in", s.tokens > 0},
                      {"has_code", s.has_code},
                      {"last_seen", iso_date(s.last_seen)},
                      {"joined", iso_date(s.created)}});
    }
    return reply(200, {{"roster_only", store_.roster_only(class_id)}, {"students", list}});
  }
  std::string why;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
  if (action.empty()) {
    if (!body.is_object() || !body.contains("names") || !body["names"].is_array() || body["names"].empty()) {
      return error(422, "expected {\"names\": [\"...\", ...]}", "names");
    }
    std::vector<std::string> names;
    for (const json& n : body["names"]) {
      if (!n.is_string()) return error(422, "every name is a string", "names");
      names.push_back(n.get<std::string>());
    }
    if (names.size() > static_cast<size_t>(config_.limits.max_students_per_class)) {
      return error(422,
                   "more names than a class may have (" + std::to_string(config_.limits.max_students_per_class) + ")",
                   "names");
    }
    try {
      json out = json::array();
      for (const NewCode& c : store_.roster_add(class_id, names, config_.limits.max_students_per_class)) {
        out.push_back({{"name", c.name}, {"code", c.code}});
      }
      return reply(201, {{"students", out}});
    } catch (const QuotaError& e) {
      return error(422, e.what(), "names");
    } catch (const std::invalid_argument& e) {
      return error(422, e.what(), "names");
    }
  }
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
    return error(422, "expected {\"name\": \"...\"}", "name");
  }
  const std::string name = body["name"].get<std::string>();
  if (action == "reset") {
    const auto c = store_.reset_code(class_id, name);
    if (!c) return error(404, "no student '" + name + "' in this class");
    return reply(200, {{"name", c->name}, {"code", c->code}});
  }
  if (action == "remove") {
    if (!store_.remove_student(class_id, name)) return error(404, "no student '" + name + "' in this class");
    return reply(200, {{"removed", name}});
  }
  return error(404, "no such address: roster/" + action.substr(0, 100));
}

net::Response Gateway::publish(const std::string& id, const net::Request& req, const Caller& who) {
  if (static_cast<int64_t>(req.body.size()) > config_.limits.max_lesson_bytes) {
    return error(413,
                 "a lesson file may be " + std::to_string(config_.limits.max_lesson_bytes / 1024) + " KiB at most");
  }
  // The one validator, as `aisandbox-cli lesson check` runs it.
  const LessonResult r = parse_lesson(req.body, id + ".toml");
  if (r.diags.has_errors()) {
    json problems = json::array();
    const std::string text = format_diagnostics(r, id + ".toml");
    for (size_t at = 0; at < text.size();) {
      const size_t end = std::min(text.find('\n', at), text.size());
      if (end > at) problems.push_back(text.substr(at, end - at));
      at = end + 1;
    }
    const Diagnostic& first = *std::find_if(r.diags.all().begin(), r.diags.all().end(),
                                            [](const Diagnostic& d) { return d.severity == Severity::error; });
    net::Response res = error(422, "the lesson has problems: " + first.message, first.path);
    json body = parse_json(res.body);
    body["problems"] = problems;
    res.body = body.dump();
    return res;
  }
  if (r.lesson.id != id) {
    return error(422, "the file's id is '" + r.lesson.id + "', not '" + id + "': publish it as " + r.lesson.id, "id");
  }
  if (is_file_source(r.lesson.job.dataset)) {
    // The file beside the lesson does not travel with its text.
    return error(422,
                 "this lesson trains on a file from its folder ('" + source_path(r.lesson.job.dataset) +
                     "'), which a published lesson cannot carry yet; share the lesson's folder with the class instead",
                 "dataset.source");
  }
  if (!r.lesson.trained.empty()) {
    return error(422,
                 "this lesson opens with trained weights from its folder ('" + r.lesson.trained +
                     "'), which a published lesson cannot carry yet; share the lesson's folder with the class instead",
                 "trained");
  }
  if (!r.lesson.images.empty()) {
    return error(422,
                 "this lesson shows images from its folder ('" + r.lesson.images.front().first +
                     "'), which a published lesson cannot carry yet; publish lessons without pictures",
                 r.lesson.images.front().second);
  }
  ClassLesson l;
  l.id = id;
  l.text = req.body;
  l.title_ko = r.lesson.title.ko;
  l.title_en = r.lesson.title.en;
  l.steps = static_cast<int64_t>(r.lesson.steps.size());
  for (size_t i = 0; i < r.lesson.steps.size(); ++i) {
    const Step& st = r.lesson.steps[i];
    if (st.goal) l.goal_steps.push_back(static_cast<int>(i));
    if (st.quiz) l.quiz_answers[static_cast<int>(i)] = st.quiz->answer;
  }
  const Store::PutLesson put = store_.put_lesson(who.who.class_id, l, config_.limits.max_lessons_per_class);
  if (put == Store::PutLesson::full) {
    return error(429, "the class has " + std::to_string(config_.limits.max_lessons_per_class) +
                          " lessons, as many as this center allows; remove one first");
  }
  const auto kept = store_.class_lesson(who.who.class_id, id, false);  // with its place and hash as kept
  return reply(put == Store::PutLesson::added ? 201 : 200, lesson_json(*kept));
}

net::Response Gateway::put_progress(const std::string& lesson, const net::Request& req, const Caller& who) {
  if (req.body.size() > kMaxProgressBytes) return error(413, "progress is 64 KiB at most");
  std::string why, field;
  const json body = parse_json(req.body, &why);
  if (body.is_discarded()) return error(400, "the body is " + why);
  // Progress is kept for the lessons published to the class, and checked
  // against them: what a gradebook shows is never only what a client said.
  const auto published = store_.class_lesson(who.who.class_id, lesson, false);
  if (!published) {
    return error(404, "'" + lesson +
                          "' is not a lesson of your class (the class view shows progress in the lessons "
                          "the teacher published)");
  }
  json p = checked_progress(body, &why, &field);
  if (p.is_null()) return error(422, why, field);
  if (p["steps"].get<int64_t>() != published->steps) {
    return error(422, "the class's '" + lesson + "' has " + std::to_string(published->steps) + " steps", "steps");
  }
  for (const json& g : p["goals_met"]) {
    const int step = g.get<int>();
    if (std::find(published->goal_steps.begin(), published->goal_steps.end(), step) == published->goal_steps.end()) {
      return error(422, "step " + std::to_string(step) + " of '" + lesson + "' has no goal", "goals_met");
    }
  }
  for (json& q : p["quiz"]) {
    const auto key = published->quiz_answers.find(q["step"].get<int>());
    if (key == published->quiz_answers.end()) {
      return error(422, "step " + std::to_string(q["step"].get<int>()) + " of '" + lesson + "' has no quiz", "quiz");
    }
    q["correct"] = q["answer"].get<int>() == key->second;  // by the lesson's key, not by the client
  }
  // Two computers of one student each send what they know: the furthest
  // step, every goal met and a finish are kept, whichever comes last.
  json merged = p;
  if (const auto row = store_.progress_of(who.who.student_id, lesson)) {
    const json old = parse_json(row->data);
    if (old.is_object() && old.value("steps", 0) == p["steps"].get<int>()) {  // else the lesson changed: start over
      merged["reached"] = std::max(p["reached"].get<int>(), old.value("reached", 0));
      std::set<int> goals = p["goals_met"].get<std::set<int>>();
      for (const json& g : old.value("goals_met", json::array())) {
        const int step = g.is_number_integer() ? g.get<int>() : -1;
        if (std::count(published->goal_steps.begin(), published->goal_steps.end(), step) > 0) goals.insert(step);
      }
      merged["goals_met"] = goals;
      std::map<int, json> quiz;
      for (json q : old.value("quiz", json::array())) {
        const auto key = published->quiz_answers.find(q.value("step", -1));
        if (key == published->quiz_answers.end()) continue;
        q["correct"] = q.value("answer", -1) == key->second;
        quiz[key->first] = q;
      }
      for (const json& q : p["quiz"]) quiz[q["step"].get<int>()] = q;  // the newer answer
      merged["quiz"] = json::array();
      for (const auto& [step, q] : quiz) merged["quiz"].push_back(q);
      merged["finished"] = p["finished"].get<bool>() || old.value("finished", false);
    }
  }
  store_.put_progress(who.who.student_id, lesson, merged.dump());
  return reply(200, merged);
}

net::Response Gateway::class_progress(const Caller& who) {
  const std::string& class_id = who.who.class_id;
  json lessons = json::array();
  std::map<std::string, size_t> index;
  for (const ClassLesson& l : store_.class_lessons(class_id)) {
    index[l.id] = lessons.size();
    json j = lesson_json(l);
    j["quiz"] = json::array();
    lessons.push_back(j);
  }
  // Per lesson and quiz step: how many answered, how many were wrong.
  std::map<std::pair<std::string, int>, std::pair<int, int>> quiz;
  std::map<std::string, json> by_student;
  for (const ProgressRow& r : store_.class_progress(class_id)) {
    const json p = parse_json(r.data);
    if (!p.is_object()) continue;
    by_student[r.student_id][r.lesson] = p;
    by_student[r.student_id][r.lesson]["updated"] = iso_date(r.updated);
    if (!index.count(r.lesson)) {
      index[r.lesson] = lessons.size();
      lessons.push_back({{"id", r.lesson}, {"steps", p.value("steps", 0)}, {"quiz", json::array()}});
    }
    for (const json& q : p.value("quiz", json::array())) {
      auto& [answered, wrong] = quiz[{r.lesson, q.value("step", 0)}];
      ++answered;
      if (!q.value("correct", false)) ++wrong;
    }
  }
  json hardest = json::array();
  for (const auto& [key, counts] : quiz) {
    json q{{"step", key.second}, {"answered", counts.first}, {"wrong", counts.second}};
    lessons[index[key.first]]["quiz"].push_back(q);
    q["lesson"] = key.first;
    hardest.push_back(q);
  }
  std::stable_sort(hardest.begin(), hardest.end(),
                   [](const json& a, const json& b) { return a["wrong"].get<int>() > b["wrong"].get<int>(); });
  json students = json::array();
  for (const StudentRow& s : store_.students(class_id)) {
    const auto it = by_student.find(s.id);
    students.push_back({{"name", s.name},
                        {"signed_in", s.tokens > 0},
                        {"lessons", it == by_student.end() ? json::object() : it->second}});
  }
  return reply(200, {{"lessons", lessons}, {"students", students}, {"hardest_quiz", hardest}});
}

net::Response Gateway::class_report(const Caller& who, const net::Request& req) {
  const std::string& class_id = who.who.class_id;
  // Titles in the teacher's language (?lang=en; Korean by default), the
  // other where a lesson has only that.
  const auto lang_it = req.query.find("lang");
  const bool english = lang_it != req.query.end() && lang_it->second == "en";
  std::map<std::string, std::string> titles;
  for (const ClassLesson& l : store_.class_lessons(class_id)) {
    const std::string& first = english ? l.title_en : l.title_ko;
    titles[l.id] = first.empty() ? (english ? l.title_ko : l.title_en) : first;
  }
  // Runs per student and lesson: how many, the best final test metric, and
  // how the last one ended.
  struct Runs {
    int count = 0;
    double best_accuracy = NAN, best_r2 = NAN;
    std::string last;
  };
  std::map<std::pair<std::string, std::string>, Runs> runs;
  for (const JobRecord& j : store_.jobs_of_class(class_id, 5000)) {  // newest first
    Runs& r = runs[{j.owner, j.lesson}];
    if (r.count++ == 0) r.last = j.state == "done" && !j.reason.empty() ? j.reason : j.state;
    if (j.state != "done") continue;
    const json done = last_event(job_dir(j.id) / "events.jsonl", 64 * 1024);
    if (!done.is_object() || done.value("type", "") != "done") continue;
    const auto best = [&](const char* key, double& into) {
      if (done.contains(key) && done[key].is_number() && (std::isnan(into) || done[key].get<double>() > into)) {
        into = done[key].get<double>();
      }
    };
    best("test_accuracy", r.best_accuracy);
    best("test_r2", r.best_r2);
  }
  std::string csv = "\xEF\xBB\xBF";  // a BOM: Excel then reads the file as UTF-8 (Korean names)
  csv +=
      "student,lesson,title,step_reached,steps,goals_met,quiz_correct,quiz_answered,finished,runs,"
      "best_test_accuracy,best_test_r2,last_run,updated\r\n";
  std::map<std::string, std::map<std::string, ProgressRow>> progress;
  for (const ProgressRow& r : store_.class_progress(class_id)) progress[r.student_id][r.lesson] = r;
  for (const StudentRow& s : store_.students(class_id)) {
    std::set<std::string> lessons;
    for (const auto& [lesson, row] : progress[s.id]) lessons.insert(lesson);
    for (const auto& [key, r] : runs) {
      if (key.first == s.id) lessons.insert(key.second);
    }
    if (lessons.empty()) {
      csv += csv_field(s.name) + ",,,,,,,,,0,,,,\r\n";
      continue;
    }
    for (const std::string& lesson : lessons) {
      std::string step, steps, goals, correct, answered, finished, updated;
      if (const auto it = progress[s.id].find(lesson); it != progress[s.id].end()) {
        const json p = parse_json(it->second.data);
        if (p.is_object()) {
          step = std::to_string(p.value("reached", 0) + 1);
          steps = std::to_string(p.value("steps", 0));
          goals = std::to_string(p.value("goals_met", json::array()).size());
          int c = 0, a = 0;
          for (const json& q : p.value("quiz", json::array())) {
            ++a;
            if (q.value("correct", false)) ++c;
          }
          correct = std::to_string(c);
          answered = std::to_string(a);
          finished = p.value("finished", false) ? "yes" : "no";
          updated = iso_date(it->second.updated);
        }
      }
      const auto r = runs.find({s.id, lesson});
      const Runs none;
      const Runs& ru = r == runs.end() ? none : r->second;
      const auto t = titles.find(lesson);
      csv += csv_field(s.name) + "," + csv_field(lesson) + "," + csv_field(t == titles.end() ? "" : t->second) + "," +
             step + "," + steps + "," + goals + "," + correct + "," + answered + "," + finished + "," +
             std::to_string(ru.count) + "," + number(ru.best_accuracy) + "," + number(ru.best_r2) + "," +
             csv_field(ru.last) + "," + updated + "\r\n";
    }
  }
  net::Response res;
  res.content_type = "text/csv; charset=utf-8";
  res.body = std::move(csv);
  res.headers.push_back({"Content-Disposition", "attachment; filename=\"class-report.csv\""});
  return res;
}

}  // namespace aisb::center
