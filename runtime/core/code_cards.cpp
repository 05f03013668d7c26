#include "core/code_cards.hpp"

namespace aisb {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string code_cards_html(const std::string& class_name, const std::string& class_code, const std::string& center_url,
                            const std::vector<StudentCode>& codes) {
  const std::string klass = escape(class_name), ccode = escape(class_code), url = escape(center_url);
  std::string html = R"(<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>AI Sandbox · )" +
                     klass + R"( · 개인 코드 / personal codes</title>
<style>
  @page { size: A4; margin: 12mm; }
  body { font-family: "NanumBarunGothic", "NanumGothic", "Malgun Gothic", "Apple SD Gothic Neo", sans-serif;
         color: #1e2128; margin: 0; }
  header { margin: 0 0 6mm 0; }
  header h1 { font-size: 15pt; margin: 0 0 1mm 0; }
  header p { font-size: 9.5pt; color: #5a606b; margin: 0; }
  .cards { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
  .card { border: 1px dashed #9aa0aa; padding: 5mm 6mm; break-inside: avoid; page-break-inside: avoid;
          min-height: 48mm; box-sizing: border-box; }
  .brand { font-size: 8.5pt; color: #0b69aa; font-weight: bold; letter-spacing: 0.04em; }
  .name { font-size: 17pt; font-weight: bold; margin: 2mm 0 3mm 0; }
  .row { font-size: 9pt; color: #5a606b; margin-top: 1.5mm; }
  .value { font-family: "DejaVu Sans Mono", "Consolas", monospace; font-size: 15pt; font-weight: bold;
           color: #1e2128; letter-spacing: 0.08em; }
  .code .value { font-size: 19pt; color: #0b69aa; }
  .note { font-size: 8pt; color: #5a606b; margin-top: 3mm; line-height: 1.35; }
  @media print { header p.screen { display: none; } }
</style>
</head>
<body>
<header>
<h1>)" + klass + R"( · 개인 코드 <span style="font-weight:normal">/ personal codes</span></h1>
<p>가위선을 따라 잘라 학생마다 한 장씩 나눠 주세요. Cut along the dashed lines: one card for each student.</p>
<p class="screen">인쇄: Ctrl+P · Print: Ctrl+P</p>
</header>
<div class="cards">
)";
  for (const StudentCode& c : codes) {
    html += R"(<div class="card">
<div class="brand">AI SANDBOX · )" +
            klass + R"(</div>
<div class="name">)" +
            escape(c.name) + R"(</div>
)";
    if (!ccode.empty()) {
      html += R"(<div class="row">반 코드 · Class code</div><div class="value">)" + ccode + "</div>\n";
    }
    html += R"(<div class="row code">개인 코드 · Personal code</div><div class="code"><div class="value">)" +
            escape(c.code) + "</div></div>\n";
    if (!url.empty()) html += R"(<div class="row">센터 주소 · Center: )" + url + "</div>\n";
    html +=
        R"(<div class="note">AI Sandbox에서 <b>센터</b>를 눌러 반 코드, 이름, 개인 코드를 넣으세요. 개인 코드는 비밀번호처럼 나만 간직하세요.<br>
In AI Sandbox press <b>Center</b> and type the class code, your name and your personal code. Keep your code to yourself, like a password.</div>
</div>
)";
  }
  html += "</div>\n</body>\n</html>\n";
  return html;
}

}  // namespace aisb
