// aisandbox-cli class publish | report | roster | progress: a teacher's
// class at the compute center from a terminal, with the teacher's login
// (aisandbox-cli login --teacher TOKEN). Lessons are checked here by the
// one validator before they are sent, and again by the center.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "backend/center_client.hpp"
#include "cli/commands.hpp"
#include "cli/usage.hpp"
#include "core/code_cards.hpp"
#include "core/files.hpp"
#include "core/messages.hpp"
#include "lesson/lesson.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace aisb::cli {

namespace {

// The teacher's saved login (or --center/--token); false with a message.
bool teacher_login(const CenterArgs& a, remote::CenterLogin* out) {
  const auto saved = remote::load_login();
  remote::CenterLogin l = saved ? *saved : remote::CenterLogin{};
  if (!a.center.empty()) l.url = a.center;
  if (!a.token.empty()) l.token = a.token, l.role = "teacher", l.class_id.clear();
  if (l.url.empty() || l.token.empty() || l.role != "teacher") {
    std::cerr << "aisandbox-cli: " << message_text("cli.class.teacher_only", language()) << "\n";
    return false;
  }
  *out = l;
  return true;
}

// The class's id: saved at login, else asked of the center.
std::string class_of(remote::CenterClient& client, const remote::CenterLogin& l) {
  return !l.class_id.empty() ? l.class_id : client.me().value("class", "");
}

// Lesson files to publish, in course order: a file as given; a folder's
// course.toml order when it has one, else its .toml files by name.
bool collect(const std::vector<std::string>& paths, std::vector<fs::path>* files) {
  for (const std::string& p : paths) {
    const fs::path path = path_of_utf8(p);
    if (fs::is_regular_file(path)) {
      files->push_back(path);
      continue;
    }
    if (!fs::is_directory(path)) {
      std::cerr << "aisandbox-cli: " << p << ": " << message_text("cli.no_such_path", language()) << "\n";
      return false;
    }
    if (fs::exists(path / "course.toml")) {
      const CourseResult course = load_course(path / "course.toml");
      std::cerr << format_diagnostics(course, utf8_of(path / "course.toml"), language());
      if (course.diags.has_errors()) return false;
      for (const std::string& f : course.course.lessons) files->push_back(path / path_of_utf8(f));
      continue;
    }
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(path)) {
      if (e.is_regular_file() && e.path().extension() == ".toml") found.push_back(e.path());
    }
    std::sort(found.begin(), found.end());
    files->insert(files->end(), found.begin(), found.end());
  }
  return true;
}

}  // namespace

int class_publish(const CenterArgs& a) {
  remote::CenterLogin l;
  if (!teacher_login(a, &l)) return usage;
  std::vector<fs::path> files;
  if (!collect(a.paths, &files)) return bad_input;
  if (files.empty()) {
    std::cerr << "aisandbox-cli: " << message_text("cli.class.no_lessons", language(), {a.paths.front()}) << "\n";
    return bad_input;
  }
  // Every file is checked before any is sent: a class never gets half a course.
  std::vector<std::pair<std::string, std::string>> lessons;  // id, text
  bool good = true;
  for (const fs::path& f : files) {
    const LessonResult r = load_lesson(f);
    std::cerr << format_diagnostics(r, utf8_of(f), language());
    if (!r.ok()) {
      good = false;
      continue;
    }
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    lessons.emplace_back(r.lesson.id, text.str());
  }
  if (!good) {
    std::cerr << "aisandbox-cli: " << message_text("cli.class.nothing_published", language()) << "\n";
    return bad_input;
  }
  try {
    remote::CenterClient client(l.url, l.token);
    const std::string klass = class_of(client, l);
    json out = json::array();
    for (const auto& [id, text] : lessons) {
      const json kept = client.publish(klass, id, text);
      out.push_back(kept);
      if (!a.json) {
        std::cout << message_text("cli.class.published", language(), {id, kept["title"].value(language(), "")}) << "\n";
      }
    }
    if (a.json) std::cout << json{{"lessons", out}}.dump() << "\n";
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int class_unpublish(const CenterArgs& a) {
  remote::CenterLogin l;
  if (!teacher_login(a, &l)) return usage;
  try {
    remote::CenterClient client(l.url, l.token);
    const std::string klass = class_of(client, l);
    for (const std::string& id : a.paths) {
      client.unpublish(klass, id);
      std::cout << message_text("cli.class.unpublished", language(), {id}) << "\n";
    }
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int class_report(const CenterArgs& a) {
  remote::CenterLogin l;
  if (!teacher_login(a, &l)) return usage;
  try {
    remote::CenterClient client(l.url, l.token);
    const std::string csv = client.class_report(class_of(client, l), language());
    if (a.output.empty() || a.output == "-") {
      std::cout << csv;
      return ok;
    }
    std::ofstream out(path_of_utf8(a.output), std::ios::binary | std::ios::trunc);
    out << csv;
    if (!out) {
      std::cerr << "aisandbox-cli: cannot write " << a.output << "\n";
      return bad_input;
    }
    std::cerr << message_text("cli.class.wrote", language(), {a.output}) << "\n";
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int class_roster(const CenterArgs& a, bool reset) {
  remote::CenterLogin l;
  if (!teacher_login(a, &l)) return usage;
  try {
    remote::CenterClient client(l.url, l.token);
    const std::string klass = class_of(client, l);
    json students = json::array();
    if (a.paths.empty()) {
      const json r = client.roster(klass);
      if (a.json) {
        std::cout << r.dump() << "\n";
      } else {
        for (const auto& s : r.value("students", json::array())) {
          std::cout << s.value("name", "")
                    << (s.value("signed_in", false) ? "  " + message_text("cli.class.signed_in", language()) : "")
                    << "\n";
        }
      }
      return ok;
    }
    if (reset) {
      for (const std::string& n : a.paths) students.push_back(client.roster_reset(klass, n));
    } else {
      students = client.roster_add(klass, a.paths).value("students", json::array());
    }
    if (a.json) {
      std::cout << json{{"students", students}}.dump() << "\n";
    } else {
      for (const auto& s : students) std::cout << s.value("name", "") << "\t" << s.value("code", "") << "\n";
    }
    if (!a.output.empty()) {
      std::vector<StudentCode> cards;
      for (const auto& s : students) cards.push_back({s.value("name", ""), s.value("code", "")});
      const json me = client.me();
      std::string why;
      if (!write_file_atomically(path_of_utf8(a.output),
                                 code_cards_html(me.value("class_name", ""), me.value("class_code", ""), l.url, cards),
                                 0600, &why)) {
        std::cerr << "aisandbox-cli: " << why << "\n";
        return bad_input;
      }
      std::cerr << message_text("cli.class.wrote_cards", language(), {std::to_string(cards.size()), a.output}) << "\n";
    }
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

int class_progress(const CenterArgs& a) {
  remote::CenterLogin l;
  if (!teacher_login(a, &l)) return usage;
  try {
    remote::CenterClient client(l.url, l.token);
    const json p = client.class_progress(class_of(client, l));
    if (a.json) {
      std::cout << p.dump() << "\n";
      return ok;
    }
    for (const auto& s : p.value("students", json::array())) {
      std::cout << s.value("name", "") << ":";
      const json lessons = s.value("lessons", json::object());  // (items() of a temporary would dangle)
      for (const auto& [lesson, prog] : lessons.items()) {
        // As the class view shows it: the step they are on (and the furthest, when further).
        const int step = prog.value("step", 0) + 1, reached = prog.value("reached", 0) + 1;
        std::cout << "  "
                  << message_text("cli.class.step", language(),
                                  {lesson, std::to_string(step), std::to_string(prog.value("steps", 0))})
                  << (reached > step ? " " + message_text("cli.class.reached", language(), {std::to_string(reached)})
                                     : std::string())
                  << (prog.value("finished", false) ? " " + message_text("cli.class.finished", language()) : "");
      }
      std::cout << "\n";
    }
    return ok;
  } catch (...) {
    return center_failure(std::current_exception());
  }
}

}  // namespace aisb::cli
