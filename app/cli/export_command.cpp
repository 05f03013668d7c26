#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/usage.hpp"
#include "core/files.hpp"
#include "core/messages.hpp"
#include "export/export.hpp"

namespace aisb::cli {

int export_model(const ExportArgs& args) {
  Diagnostics diags;
  const TrainedModel model = read_model_file(args.model, diags);
  if (diags.has_errors()) {
    for (const auto& d : diags.all()) std::cerr << d.where << ": error: " << d.message << "\n";
    return bad_input;
  }
  // A notebook of a lesson on a file of its own looks for that file as the
  // lesson names it ("data/air.csv"), relative to the model file's folder;
  // when it is not there (or not the same data), the notebook says so.
  std::error_code ec;
  const std::filesystem::path beside = std::filesystem::absolute(aisb::path_of_utf8(args.model), ec).parent_path();
  try {
    aisb::export_model(model, export_kind(args.to), aisb::path_of_utf8(args.output), language(), beside);
  } catch (const std::exception& e) {
    std::cerr << "aisandbox-cli: " << e.what() << "\n";
    return bad_input;
  }
  std::cerr << message_text("cli.exported", language(), {args.output}) << "\n";
  return ok;
}

}  // namespace aisb::cli
