// Personal codes on paper: a page of cards a teacher prints and cuts out,
// one a student (class, class code, name, personal code, where to sign in;
// Korean and English). Made here so that the center's `class roster add
// --sheet` and the app's class view print the same cards.
#pragma once

#include <string>
#include <vector>

namespace aisb {

struct StudentCode {
  std::string name, code;
};

// Self-contained HTML, ready to print from any browser (no scripts, no
// files beside it), every text escaped. An empty class code or center
// address leaves that line out.
std::string code_cards_html(const std::string& class_name, const std::string& class_code, const std::string& center_url,
                            const std::vector<StudentCode>& codes);

}  // namespace aisb
