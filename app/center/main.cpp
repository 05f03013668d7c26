// aisandbox-center: the compute center's program (SPEC.md section 1). This
// first part is the operator's side: classes, their join codes and teacher
// tokens, kept in --data. The gateway (`serve`) comes next.
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "center/store.hpp"

namespace {

nlohmann::json class_json(const aisb::center::ClassInfo& c) {
  return {{"class", c.id}, {"name", c.name}, {"class_code", c.code}, {"created", c.created}, {"students", c.students}};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aisb::center;
  CLI::App cli{"AI Sandbox compute center: classes and (next) the HTTP gateway", "aisandbox-center"};
  cli.set_version_flag("--version", std::string("aisandbox-center ") + AISB_VERSION);
  cli.require_subcommand(1);
  auto* cls = cli.add_subcommand("class", "Create, list, show and delete classes");
  cls->require_subcommand(1);
  std::string data, name, id;
  const auto data_option = [&](CLI::App* c) {
    c->add_option("--data", data, "The center's data folder (database, job folders)")->required();
  };
  auto* create = cls->add_subcommand("create", "Create a class; prints its id, join code and teacher token (shown once)");
  create->add_option("NAME", name, "The class's name, e.g. \"Pohang High 2-3\"")->required();
  data_option(create);
  auto* list = cls->add_subcommand("list", "List the classes");
  data_option(list);
  auto* show = cls->add_subcommand("show", "Show one class (by id or join code)");
  show->add_option("ID", id, "Class id or join code")->required();
  data_option(show);
  auto* del = cls->add_subcommand("delete", "Delete a class with its students and their tokens");
  del->add_option("ID", id, "Class id")->required();
  data_option(del);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  try {
    Store store(data);
    if (*create) {
      if (name.empty() || name.size() > 200) {
        std::cerr << "aisandbox-center: NAME: 1 to 200 bytes, please\n";
        return 2;
      }
      const NewClass c = store.create_class(name);
      nlohmann::json j = class_json(c.info);
      j["teacher_token"] = c.teacher_token;
      std::cout << j.dump() << "\n";
    } else if (*list) {
      auto out = nlohmann::json::array();
      for (const auto& c : store.classes()) out.push_back(class_json(c));
      std::cout << nlohmann::json{{"classes", out}}.dump() << "\n";
    } else if (*show) {
      const auto c = store.find_class(id);
      if (!c) {
        std::cerr << "aisandbox-center: no class '" << id << "' in " << data << "\n";
        return 1;
      }
      std::cout << class_json(*c).dump() << "\n";
    } else if (*del) {
      if (!store.delete_class(id)) {
        std::cerr << "aisandbox-center: no class '" << id << "' in " << data << "\n";
        return 1;
      }
      std::cout << nlohmann::json{{"deleted", id}}.dump() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-center: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
