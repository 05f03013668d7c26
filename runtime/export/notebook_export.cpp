// `export --to notebook`: one .ipynb (nbformat 4) that carries a lesson on in
// Jupyter or Colab: the network as PyTorch code (the code of model.py), its
// weights (the safetensors bytes as base64, so the notebook is one file),
// the test set (recreated here from the job: a generator's from its seed, a
// file source's from the data folder when there is one), its evaluation
// against the model file's own numbers, and the training curves.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "data/dataset.hpp"
#include "data/user_data.hpp"
#include "export/export.hpp"
#include "export/export_internal.hpp"

namespace aisb::export_detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What a notebook may carry: the test set is cut to this many samples and
// bytes, and a network larger than this is better exported to PyTorch.
constexpr int64_t kMaxTestSamples = 2000;
constexpr int64_t kMaxTestBytes = int64_t{20} << 20;
constexpr int64_t kMaxWeightBytes = int64_t{64} << 20;

struct TestSet {
  std::vector<float> x;  // raw values, samples back to back
  std::vector<float> y;  // class index, or the value in the data's units
  int64_t count = 0;
  int64_t total = 0;   // in the whole test split
  std::string reason;  // why there is none
};

std::string floats_base64(const std::vector<float>& v) {
  return base64_encode(float32_le_bytes(v));
}

TestSet test_set(const Plan& plan, const fs::path& data_dir, const std::string& lang) {
  TestSet out;
  JobSpec job = plan.model->job;
  if (is_file_source(job.dataset)) {
    if (data_dir.empty()) {
      out.reason = say(lang, "the data of this lesson is a file of your own, and it was not given to the export",
                       "이 수업의 데이터는 직접 가져온 파일인데, 내보낼 때 함께 주어지지 않았어요");
      return out;
    }
    Diagnostics diags;
    const std::string hash = job.dataset.data_sha256;
    if (!resolve_data(job, data_dir, diags) || diags.has_errors()) {
      out.reason = std::string(say(lang, "the data could not be read from ", "데이터를 읽을 수 없었어요: ")) +
                   data_dir.string() + " (" + diags.first_error() + ")";
      return out;
    }
    if (!hash.empty() && job.dataset.data_sha256 != hash) {
      out.reason =
          std::string(say(lang, "the data in ", "")) + data_dir.string() +
          say(lang, " is not the data this network was trained on", "의 데이터는 이 신경망이 학습한 데이터가 아니에요");
      return out;
    }
  }
  Dataset ds;
  try {
    ds = make_dataset(job);
  } catch (const std::exception& e) {
    out.reason =
        std::string(say(lang, "the test set could not be made: ", "시험 세트를 만들 수 없었어요: ")) + e.what();
    return out;
  }
  const int64_t per = ds.features;
  out.total = ds.test.size();
  out.count = std::min({out.total, kMaxTestSamples, std::max<int64_t>(1, kMaxTestBytes / (4 * per))});
  out.x.assign(ds.test.x.begin(), ds.test.x.begin() + static_cast<ptrdiff_t>(out.count * per));
  out.y.assign(ds.test.y.begin(), ds.test.y.begin() + static_cast<ptrdiff_t>(out.count));
  // Back to raw values: the network standardises them itself.
  const Standardization& st = ds.standardization;
  if (!st.mean.empty()) {
    const size_t m = st.mean.size();
    for (size_t i = 0; i < out.x.size(); ++i) {
      const size_t k = (static_cast<size_t>(i) % static_cast<size_t>(per)) % m;
      out.x[i] = out.x[i] * st.scale[k] + st.mean[k];
    }
  }
  if (!plan.classification) {
    for (float& v : out.y) v = v * st.target_scale + st.target_mean;
  }
  return out;
}

json lines(const std::string& text) {
  json out = json::array();
  size_t at = 0;
  while (at < text.size()) {
    const size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      out.push_back(text.substr(at));
      break;
    }
    out.push_back(text.substr(at, nl + 1 - at));
    at = nl + 1;
  }
  // nbformat's own writer leaves no newline at the end of a cell.
  if (!out.empty()) {
    std::string last = out.back();
    if (!last.empty() && last.back() == '\n') last.pop_back();
    out.back() = last;
  }
  return out;
}

json markdown(const std::string& text) {
  return {{"cell_type", "markdown"}, {"metadata", json::object()}, {"source", lines(text)}};
}

json code(const std::string& text) {
  return {{"cell_type", "code"},
          {"execution_count", nullptr},
          {"metadata", json::object()},
          {"outputs", json::array()},
          {"source", lines(text)}};
}

std::string metric_literal(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? py_num(*v) : "None";
}

// At most this many points of the curves: a run of 100,000 epochs plots as
// well from every 50th.
constexpr size_t kMaxCurvePoints = 2000;

std::string curves_literal(const Plan& plan) {
  const auto& all = plan.model->curves;
  const size_t every = all.size() / kMaxCurvePoints + 1;
  json curves = json::array();
  for (size_t i = 0; i < all.size(); ++i) {
    if (i % every != 0 && i + 1 != all.size()) continue;
    const Metrics& c = all[i];
    json p = {{"epoch", c.epoch}};
    // A run that diverged has no number to plot: left out, so no JSON null
    // (not Python) reaches the cell.
    const auto put = [&](const char* key, const std::optional<double>& v) {
      if (v && std::isfinite(*v)) p[key] = *v;
    };
    put("train_loss", c.train_loss);
    put("test_loss", c.test_loss);
    put(plan.classification ? "train_accuracy" : "train_mae", plan.classification ? c.train_accuracy : c.train_mae);
    put(plan.classification ? "test_accuracy" : "test_mae", plan.classification ? c.test_accuracy : c.test_mae);
    curves.push_back(p);
  }
  return curves.dump();
}

std::string intro(const Plan& plan, const TestSet& test, const std::string& lang) {
  const TrainedModel& m = *plan.model;
  const bool ko = lang == "ko";
  std::string shape;
  for (size_t i = 0; i < plan.input.size(); ++i) shape += (i ? " x " : "") + std::to_string(plan.input[i]);
  std::string s = "# " + one_line(m.job.lesson.empty() ? "AI Sandbox" : m.job.lesson) +
                  say(lang, ": your trained network in a notebook\n\n", ": 학습시킨 신경망을 노트북에서\n\n");
  if (ko) {
    s += "이 노트북은 AI Sandbox에서 하던 수업을 이어 가요. 학습시킨 신경망(PyTorch 코드), 학습한 가중치, ";
    s += test.x.empty() ? "" : "시험 세트, ";
    s += "학습 곡선이 모두 이 파일 하나에 들어 있어요. 위에서 아래로 차례로 실행하세요(Jupyter 또는 Google Colab에서 "
         "\"모두 실행\").\n\n";
    s += "- **문제**: " +
         (plan.classification ? "분류, 클래스 " + std::to_string(plan.classes.size()) + "개" : std::string("회귀")) +
         "\n";
    s += "- **입력 하나의 모양**: " + shape + " (" + plan.kind + ")\n";
    s += "- **학습**: " + std::to_string(m.epochs_done) + "번의 에포크, " + std::to_string(m.steps_done) + "번의 갱신";
  } else {
    s += "This notebook carries on from AI Sandbox. The network you trained (as PyTorch code), its trained weights, ";
    s += test.x.empty() ? "" : "the test set, ";
    s += "and the curves of training are all in this one file. Run the cells from top to bottom (in Jupyter or Google "
         "Colab: \"Run all\").\n\n";
    s += "- **Task**: " +
         (plan.classification ? "classification into " + std::to_string(plan.classes.size()) + " classes"
                              : std::string("regression")) +
         "\n";
    s += "- **One input**: " + shape + " (" + plan.kind + ")\n";
    s += "- **Training**: " + std::to_string(m.epochs_done) + " epochs, " + std::to_string(m.steps_done) + " steps";
  }
  if (!m.app.empty()) s += " (" + one_line(m.app) + (m.created.empty() ? "" : ", " + one_line(m.created)) + ")";
  s += "\n";
  if (test.x.empty()) {
    s += ko ? "\n시험 세트는 들어 있지 않아요: " + test.reason + ". 그래서 평가는 건너뛰어요.\n"
            : "\nThe test set is not included: " + test.reason + ". So the evaluation is skipped.\n";
  } else if (test.count < test.total) {
    s += ko ? "\n시험 세트가 커서 처음 " + std::to_string(test.count) + "개(전체 " + std::to_string(test.total) +
                  "개 중)만 넣었어요. 그래서 정확도가 모델 파일의 값과 조금 다를 수 있어요.\n"
            : "\nThe test set is large, so only its first " + std::to_string(test.count) + " samples (of " +
                  std::to_string(test.total) + ") are included; its score may differ a little from the model file's.\n";
  }
  return s;
}

std::string weights_cell(const std::string& b64) {
  return "WEIGHTS = \"" + b64 +
         "\"\n\nmodel = Network()\nmodel.load_state_dict(load_safetensors(base64.b64decode(WEIGHTS)))\nmodel.eval()\n";
}

std::string test_cell(const Plan& plan, const TestSet& test, const std::string& lang) {
  std::string s;
  if (test.x.empty()) {
    s += "test_x = test_y = None\n";
    s += "print(" +
         py_str(std::string(say(lang, "The test set is not included: ", "시험 세트가 없어요: ")) + test.reason) + ")\n";
    return s;
  }
  s += "TEST_X = \"" + floats_base64(test.x) + "\"\n";
  s += "TEST_Y = \"" + floats_base64(test.y) + "\"\n\n";
  s += "test_x = torch.frombuffer(bytearray(base64.b64decode(TEST_X)), dtype=torch.float32).reshape((-1,) + "
       "INPUT_SHAPE)\n";
  s += "test_y = torch.frombuffer(bytearray(base64.b64decode(TEST_Y)), dtype=torch.float32)\n";
  s += std::string("print(") +
       (lang == "ko" ? "f\"시험 샘플 {len(test_y)}개, 하나의 모양 {tuple(test_x.shape[1:])}\""
                     : "f\"{len(test_y)} test samples, each of shape {tuple(test_x.shape[1:])}\"") +
       ")\n";
  (void)plan;
  return s;
}

std::string one_prediction_cell(const Plan& plan, const std::string& lang) {
  const bool ko = lang == "ko";
  std::string s = "if test_x is not None:\n";
  s += "    x = test_x[:1]  # " +
       std::string(say(lang, "the first test sample (a batch of one)", "첫 시험 샘플(하나짜리 배치)")) + "\n";
  if (plan.kind == "image") {
    s += "    import matplotlib.pyplot as plt\n";
    s += "    picture = x[0].permute(1, 2, 0).squeeze(-1)\n";
    s += "    plt.figure(figsize=(2.5, 2.5))\n";
    s += "    plt.imshow(picture, cmap=\"gray\" if picture.dim() == 2 else None, vmin=0, vmax=1)\n";
    s += "    plt.axis(\"off\")\n    plt.show()\n";
  }
  if (plan.classification) {
    s += "    probabilities = model.predict(x)[0]\n";
    s += "    for name, p in zip(CLASSES, probabilities):\n";
    s += "        print(f\"{name:>16}  {float(p):7.2%}\")\n";
    s +=
        std::string("    print(") +
        (ko ? "f\"신경망의 답: {CLASSES[int(probabilities.argmax())]}, 정답: {CLASSES[int(test_y[0])]}\""
            : "f\"the network says {CLASSES[int(probabilities.argmax())]}; the answer is {CLASSES[int(test_y[0])]}\"") +
        ")\n";
  } else {
    s += std::string("    print(") +
         (ko ? "f\"신경망의 답: {float(model.predict(x)[0]):.4f}, 정답: {float(test_y[0]):.4f}\""
             : "f\"the network says {float(model.predict(x)[0]):.4f}; the answer is {float(test_y[0]):.4f}\"") +
         ")\n";
  }
  return s;
}

std::string evaluation_cell(const Plan& plan, const std::string& lang) {
  const bool ko = lang == "ko";
  const TrainedModel& m = *plan.model;
  std::string s;
  if (plan.classification) {
    s += "FILE_ACCURACY = " + metric_literal(m.has_metrics ? m.metrics.test_accuracy : std::nullopt) + "  # " +
         say(lang, "the test accuracy the model file holds", "모델 파일에 적힌 시험 정확도") + "\n\n";
    s += "if test_x is not None:\n";
    s += "    answers = model.predict(test_x)\n";
    s += "    correct = int((answers.argmax(dim=1) == test_y.long()).sum())\n";
    s += "    accuracy = correct / len(test_y)\n";
    s += std::string("    print(") +
         (ko ? "f\"시험 세트 정확도: {accuracy:.6f} ({len(test_y)}개 중 {correct}개)\""
             : "f\"test accuracy: {accuracy:.6f} ({correct} of {len(test_y)})\"") +
         ")\n";
    s += "    if FILE_ACCURACY is not None:\n";
    s += std::string("        print(") +
         (ko ? "f\"모델 파일의 시험 정확도: {FILE_ACCURACY:.6f}\"" : "f\"the model file says: {FILE_ACCURACY:.6f}\"") +
         ")\n";
    s += "    confusion = torch.zeros(len(CLASSES), len(CLASSES), dtype=torch.long)\n";
    s += "    for truth, guess in zip(test_y.long().tolist(), answers.argmax(dim=1).tolist()):\n";
    s += "        confusion[truth, guess] += 1\n";
    s += std::string("    print(") +
         (ko ? "\"혼동 행렬(행: 정답, 열: 신경망의 답):\""
             : "\"confusion matrix (rows: the answer, columns: the network's):\"") +
         ")\n";
    s += "    print(confusion)\n";
  } else {
    s += "FILE_MAE = " + metric_literal(m.has_metrics ? m.metrics.test_mae : std::nullopt) + "  # " +
         say(lang, "the test MAE the model file holds", "모델 파일에 적힌 시험 MAE") + "\n\n";
    s += "if test_x is not None:\n";
    s += "    answers = model.predict(test_x)\n";
    s += "    mae = float((answers - test_y.double()).abs().mean())\n";
    s += std::string("    print(") +
         (ko ? "f\"시험 세트 MAE(평균 절대 오차): {mae:.6f}\"" : "f\"test MAE (mean absolute error): {mae:.6f}\"") +
         ")\n";
    s += "    if FILE_MAE is not None:\n";
    s += std::string("        print(") +
         (ko ? "f\"모델 파일의 시험 MAE: {FILE_MAE:.6f}\"" : "f\"the model file says: {FILE_MAE:.6f}\"") + ")\n";
  }
  return s;
}

std::string curves_cell(const Plan& plan, const std::string& lang) {
  const bool ko = lang == "ko";
  std::string s = "import matplotlib.pyplot as plt\n\n";
  s += "CURVES = " + curves_literal(plan) + "\n\n";
  const std::string metric = plan.classification ? "accuracy" : "mae";
  s += "epochs = [c[\"epoch\"] for c in CURVES]\n";
  s += "\n\ndef series(key):\n    return [c.get(key, float(\"nan\")) for c in CURVES]\n\n\n";
  if (ko) {
    // matplotlib's own font has no Hangul: a Korean font when there is one.
    s += "# 한글 글꼴이 있으면 그래프 제목에 써요(없으면 한글이 네모로 보여요).\n";
    s += "from matplotlib import font_manager\n";
    s += "for font in (\"NanumGothic\", \"NanumBarunGothic\", \"Malgun Gothic\", \"AppleGothic\", \"Noto Sans CJK "
         "KR\"):\n";
    s += "    if any(f.name == font for f in font_manager.fontManager.ttflist):\n";
    s += "        plt.rcParams[\"font.family\"] = font\n";
    s += "        break\n";
  }
  s += "figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))\n";
  s += std::string("left.plot(epochs, series(\"train_loss\"), label=") + py_str(ko ? "학습" : "training") + ")\n";
  s += std::string("left.plot(epochs, series(\"test_loss\"), label=") + py_str(ko ? "시험" : "test") + ")\n";
  s += std::string("left.set_title(") + py_str(ko ? "손실(loss)" : "loss") + ")\n";
  s += "right.plot(epochs, series(\"train_" + metric + "\"), label=" + py_str(ko ? "학습" : "training") + ")\n";
  s += "right.plot(epochs, series(\"test_" + metric + "\"), label=" + py_str(ko ? "시험" : "test") + ")\n";
  s += std::string("right.set_title(") +
       py_str(plan.classification ? (ko ? "정확도" : "accuracy")
                                  : (ko ? "MAE(평균 절대 오차)" : "MAE (mean absolute error)")) +
       ")\n";
  s += "for axes in (left, right):\n";
  s += std::string("    axes.set_xlabel(") + py_str(ko ? "에포크" : "epoch") + ")\n";
  s += "    axes.legend()\n";
  s += "plt.tight_layout()\nplt.show()\n";
  return s;
}

}  // namespace

void write_notebook(const Plan& plan, const fs::path& file, const std::string& lang, const fs::path& data_dir) {
  const bool ko = lang == "ko";
  const std::string weights = safetensors_bytes(state_tensors(plan), model_metadata(plan));
  if (static_cast<int64_t>(weights.size()) > kMaxWeightBytes) {
    throw ExportError("the network is too big for a notebook (" + std::to_string(weights.size() >> 20) +
                      " MB of weights; at most " + std::to_string(kMaxWeightBytes >> 20) +
                      " MB): export it to PyTorch instead");
  }
  const TestSet test = test_set(plan, data_dir, lang);

  json cells = json::array();
  cells.push_back(markdown(intro(plan, test, lang)));
  cells.push_back(markdown(
      ko ? "## 신경망\n\n수업에서 만든 신경망을 PyTorch 코드로 썼어요(`export --to pytorch`의 `model.py`와 같은 "
           "코드예요). "
           "층의 이름과 가중치 이름이 AI Sandbox와 같고, 입력의 표준화도 신경망 안에서 해요. 그래서 raw 값을 그대로 "
           "넣으면 돼요."
         : "## The network\n\nThe network of the lesson as PyTorch code (the same code as `model.py` of `export --to "
           "pytorch`). Its layers and weight names are AI Sandbox's, and it standardises its inputs itself, so it "
           "takes "
           "raw values."));
  cells.push_back(code(python_network_source(plan, lang, {"base64"})));
  cells.push_back(markdown(ko ? "## 학습한 가중치\n\n다음 칸에는 가중치 파일(`model.safetensors`)이 base64 글자로 들어 "
                                "있어요(아주 긴 한 줄이에요). 그것을 읽어 신경망에 넣고 평가 모드로 바꿔요."
                              : "## The trained weights\n\nThe next cell holds the weights (`model.safetensors`) as "
                                "base64 text (one very long line). It loads them into the network and switches it to "
                                "evaluation mode."));
  cells.push_back(code(weights_cell(base64_encode(weights))));
  cells.push_back(markdown(ko ? "## 시험 세트\n\n학습에 쓰지 않은 데이터예요. 값은 표준화하기 전의 raw 값이에요."
                              : "## The test set\n\nThe data training never saw, as raw values (before "
                                "standardisation)."));
  cells.push_back(code(test_cell(plan, test, lang)));
  cells.push_back(markdown(ko ? "## 예측 하나\n\n첫 시험 샘플에 대해 신경망이 무엇이라고 하는지 봐요."
                              : "## One prediction\n\nWhat the network says about the first test sample."));
  cells.push_back(code(one_prediction_cell(plan, lang)));
  cells.push_back(
      markdown(ko ? "## 시험 세트에서 얼마나 잘할까?\n\n시험 세트 전체를 예측해서, AI Sandbox가 모델 파일에 "
                    "적어 둔 값과 비교해요."
                  : "## How good is it on the test set?\n\nThe whole test set, predicted here, next to the "
                    "number AI Sandbox wrote into the model file."));
  cells.push_back(code(evaluation_cell(plan, lang)));
  cells.push_back(markdown(ko ? "## 학습 곡선\n\n에포크마다 AI Sandbox가 잰 손실과 " +
                                    std::string(plan.classification ? "정확도" : "MAE") + "예요."
                              : "## Training curves\n\nThe loss and " +
                                    std::string(plan.classification ? "accuracy" : "MAE") +
                                    " AI Sandbox measured after every epoch."));
  cells.push_back(code(curves_cell(plan, lang)));
  cells.push_back(markdown(
      ko ? "## 이어서 해 볼 것\n\n- 시험 샘플 몇 개를 골라 `model.predict`로 예측해 보세요.\n"
           "- `torch.optim.Adam(model.parameters())`로 옵티마이저를 만들고 `model.train()`으로 바꾸면 PyTorch에서 "
           "학습을 이어 갈 수 있어요(`model(x)`가 학습할 때의 출력을 줘요).\n"
           "- `torch.onnx.export`나 `aisandbox-cli export --to onnx`로 다른 프로그램에서 쓸 수 있게 내보내 보세요."
         : "## What next\n\n- Pick a few test samples and ask `model.predict` about them.\n"
           "- Make an optimizer (`torch.optim.Adam(model.parameters())`) and call `model.train()` to go on training in "
           "PyTorch (`model(x)` gives what training sees).\n"
           "- Export the network for other programs with `aisandbox-cli export --to onnx`."));

  json nb = {{"cells", cells},
             {"metadata",
              {{"kernelspec", {{"display_name", "Python 3"}, {"language", "python"}, {"name", "python3"}}},
               {"language_info", {{"name", "python"}}}}},
             {"nbformat", 4},
             {"nbformat_minor", 4}};
  write_file(file, nb.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace aisb::export_detail
