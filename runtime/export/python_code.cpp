// The Python source of the network, shared by model.py and the notebook: the
// same layers, in the same ModuleList, so that the state dict's names are
// the engine's ("layers.0.weight"), and the same forward pass as
// engine/torch_net.cpp's ModelImpl, with the standardisation applied first.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "export/export.hpp"
#include "export/export_internal.hpp"

namespace aisb::export_detail {

namespace {

std::string shape_tuple(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

std::string shape_text(const Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? " x " : "") + std::to_string(s[i]);
  return out;
}

// One layer's module and what it is, for __init__.
std::string layer_module(const Plan& plan, size_t i, const std::string& lang) {
  const LayerInfo& li = plan.layer(i);
  const LayerSpec& l = li.spec;
  const std::string at = "layers[" + std::to_string(i) + "]: ";
  const auto activation = [&]() {
    return l.activation == "linear" || l.activation.empty()
               ? std::string(say(lang, "no activation (linear)", "활성화 함수 없음(linear)"))
               : std::string(say(lang, "activation ", "활성화 함수 ")) + l.activation;
  };
  if (l.type == "dense") {
    return "nn.Linear(" + std::to_string(li.in[0]) + ", " + std::to_string(l.units) + "),  # " + at +
           (lang == "ko" ? "dense 층, 뉴런 " + std::to_string(l.units) + "개, "
                         : "dense, " + std::to_string(l.units) + " units, ") +
           activation();
  }
  if (l.type == "conv2d") {
    const int pad = l.padding == "same" ? (l.kernel - 1) / 2 : 0;
    return "nn.Conv2d(" + std::to_string(li.in[0]) + ", " + std::to_string(l.filters) +
           ", kernel_size=" + std::to_string(l.kernel) + ", stride=" + std::to_string(l.stride) +
           ", padding=" + std::to_string(pad) + "),  # " + at +
           (lang == "ko" ? "conv2d 층, " + std::to_string(l.kernel) + "x" + std::to_string(l.kernel) + " 필터 " +
                               std::to_string(l.filters) + "개, 보폭 " + std::to_string(l.stride) + ", 패딩 \"" +
                               l.padding + "\", "
                         : "conv2d, " + std::to_string(l.filters) + " filters of " + std::to_string(l.kernel) + "x" +
                               std::to_string(l.kernel) + ", stride " + std::to_string(l.stride) + ", padding \"" +
                               l.padding + "\", ") +
           activation();
  }
  if (l.type == "maxpool2d") {
    const std::string s = std::to_string(l.size);
    return "nn.MaxPool2d(" + s + "),  # " + at +
           (lang == "ko" ? "maxpool2d: " + s + "x" + s + " 칸마다 가장 큰 값만 남겨요"
                         : "maxpool2d: keeps the largest value of each " + s + "x" + s + " block");
  }
  if (l.type == "flatten") {
    return "nn.Flatten(),  # " + at + "flatten: " + shape_text(li.in) + " -> " + std::to_string(li.out[0]) +
           say(lang, " values in one row", "개 값을 한 줄로");
  }
  if (l.type == "dropout") {
    return "nn.Dropout(" + py_num(l.rate) + "),  # " + at +
           say(lang, "dropout: while training, zeroes a random share of the values; off when predicting",
               "dropout: 학습할 때만 값의 일부를 무작위로 0으로 만들어요(예측할 때는 꺼져요)");
  }
  if (l.type == "batchnorm") {
    const bool image = li.in.size() == 3;
    return std::string(image ? "nn.BatchNorm2d(" : "nn.BatchNorm1d(") + std::to_string(li.in[0]) + "),  # " + at +
           say(lang,
               image ? "batchnorm: standardises each channel with the running mean and variance of training"
                     : "batchnorm: standardises each value with the running mean and variance of training",
               image ? "batchnorm: 채널마다 학습 중에 모은 평균과 분산으로 표준화해요"
                     : "batchnorm: 값마다 학습 중에 모은 평균과 분산으로 표준화해요");
  }
  const bool lstm = l.type == "lstm";
  return std::string(lstm ? "nn.LSTM(" : "nn.GRU(") + std::to_string(li.in[1]) + ", " + std::to_string(l.units) +
         ", batch_first=True),  # " + at + l.type +
         (lang == "ko" ? " 층, 뉴런 " + std::to_string(l.units) + "개: 시간 단계를 차례로 읽어요"
                       : ", " + std::to_string(l.units) + " units: reads the time steps in order");
}

// One layer's step of forward().
std::string layer_forward(const Plan& plan, size_t i, const std::string& lang) {
  const LayerSpec& l = plan.layer(i).spec;
  const std::string call = "self.layers[" + std::to_string(i) + "](x)";
  if (l.type == "lstm" || l.type == "gru") {
    return "        x, _ = " + call + "\n        x = x[:, -1]  # " +
           say(lang, "what it says after the last time step", "마지막 시간 단계 뒤의 출력만 써요") + "\n";
  }
  if (l.type == "dense" || l.type == "conv2d") {
    const std::string& a = l.activation;
    if (a == "relu") return "        x = torch.relu(" + call + ")\n";
    if (a == "tanh") return "        x = torch.tanh(" + call + ")\n";
    if (a == "sigmoid") return "        x = torch.sigmoid(" + call + ")\n";
    if (a == "leaky_relu") return "        x = F.leaky_relu(" + call + ", 0.01)\n";
    if (a == "gelu") {
      return "        x = F.gelu(" + call + ")  # " + say(lang, "exact GELU (with erf)", "정확한 GELU(erf 사용)") +
             "\n";
    }
  }
  return "        x = " + call + "\n";
}

}  // namespace

std::string python_network_source(const Plan& plan, const std::string& lang, std::vector<std::string> modules) {
  const TrainedModel& m = *plan.model;
  const bool ko = lang == "ko";
  const bool standardized = !m.standardization.mean.empty();
  std::string s;
  for (const char* own : {"json", "math", "struct"}) modules.emplace_back(own);
  std::sort(modules.begin(), modules.end());
  modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
  for (const auto& module : modules) s += "import " + module + "\n";
  s += "\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n";
  s += say(lang, "# What the network was trained on (from the model file).\n",
           "# 신경망이 무엇으로 학습했는지(모델 파일에서 가져왔어요).\n");
  s += "LESSON = " + py_str(m.job.lesson) + "\n";
  s += "TASK = " + py_str(m.job.model.task) + "  # " +
       say(lang, "classification: one output per class; regression: one value",
           "classification(분류): 클래스마다 출력 하나, regression(회귀): 값 하나") +
       "\n";
  if (plan.classification) {
    s += "CLASSES = " + py_list(plan.classes) + "  # " +
         say(lang, "the classes, in the order of the outputs", "출력 순서대로 쓴 클래스 이름") + "\n";
  }
  s += "KIND = " + py_str(plan.kind) + "  # " +
       say(lang, "one sample: points, table (one row), sequence (rows over time) or image",
           "샘플 하나: points(점), table(한 행), sequence(시간 순서의 여러 행), image(그림)") +
       "\n";
  s += "INPUT_SHAPE = " + shape_tuple(plan.input) + "  # " +
       (plan.kind == "image"      ? say(lang, "channels, height, width", "채널, 높이, 너비")
        : plan.kind == "sequence" ? say(lang, "time steps, values per step", "시간 단계, 단계마다 값 수")
                                  : say(lang, "values", "값의 수")) +
       "\n";
  if (plan.kind != "image") {
    s += "COLUMNS = " + py_list(plan.columns) + "  # " +
         say(lang, "the CSV columns a row needs (\"column=value\": 1 where the cell is value, else 0)",
             "CSV 한 행에 있어야 할 열(\"열=값\"은 칸이 그 값이면 1, 아니면 0)") +
         "\n";
  }
  if (plan.kind != "image") {
    const DatasetSpec& d = m.job.dataset;
    const bool file = is_file_source(d);
    s += "MISSING = " + py_str(file ? d.missing : "") + "  # " +
         say(lang,
             "a row with an empty cell: \"drop\" leaves it out, \"mean\" fills the training mean, \"\" is an error",
             "빈 칸이 있는 행: \"drop\"은 빼고, \"mean\"은 학습 때의 평균을 넣고, \"\"는 오류예요") +
         "\n";
    std::string fill;  // the training means, float32 as text that reads back the same
    if (file && d.missing == "mean") {
      for (const float v : m.standardization.mean) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
        fill += (fill.empty() ? "" : ", ") + std::string(buf);
      }
    }
    s += "FILL = [" + fill + "]\n";
    s += "GROUP = " + py_str(plan.kind == "sequence" ? d.group : "") + "  # " +
         say(lang, "a sequence never crosses from one value of this column to the next",
             "시퀀스는 이 열의 한 값에서 다른 값으로 넘어가지 않아요") +
         "\n";
    s += "ORDER = " + py_str(plan.kind == "sequence" ? d.order : "") + "  # " +
         say(lang, "rows are sorted by this column within a group", "행은 그룹 안에서 이 열로 정렬돼요") + "\n";
  }
  if (plan.kind == "points") {
    s += "FEATURES = " + py_list(m.job.model.inputs) + "  # " +
         say(lang, "the network's inputs, computed from x1 and x2", "x1과 x2로 계산한 신경망의 입력") + "\n";
    s += "\n\ndef point_features(x1, x2):\n";
    s += std::string("    \"\"\"") +
         say(lang, "The network's inputs for the point (x1, x2).", "점 (x1, x2)에 대한 신경망의 입력.") + "\"\"\"\n";
    s += "    values = {\"x1\": x1, \"x2\": x2, \"x1_sq\": x1 * x1, \"x2_sq\": x2 * x2, \"x1_x2\": x1 * x2,\n";
    s += "              \"sin_x1\": math.sin(x1), \"sin_x2\": math.sin(x2)}\n";
    s += "    return [values[name] for name in FEATURES]\n";
  }

  s += "\n\nclass Network(nn.Module):\n";
  s += std::string("    \"\"\"") +
       say(lang, "The network as AI Sandbox built and trained it.", "AI Sandbox가 만들고 학습시킨 신경망.") + "\n\n";
  if (ko) {
    s += "    raw 값(표준화 전의 값)을 그대로 받아요. forward()는 학습할 때처럼 " +
         std::string(plan.classification ? "클래스마다 점수(logit)를" : "표준화된 값 하나를") +
         " 주고,\n    predict()는 " + (plan.classification ? "클래스마다 확률을" : "데이터의 단위로 쓴 값을") +
         " 줘요.\n";
  } else {
    s += std::string("    It takes raw values (as a file gives them). forward() returns what training saw: ") +
         (plan.classification ? "a score (logit)\n    per class" : "the value,\n    standardised") +
         "; predict() returns " +
         (plan.classification ? "the probability of each class" : "the value in the data's units") + ".\n";
  }
  if (plan.kind == "points") {
    s += say(lang, "    One sample is FEATURES, computed from a point by point_features(x1, x2).\n",
             "    샘플 하나는 FEATURES예요. 점에서 point_features(x1, x2)로 계산해요.\n");
  }
  s += "    \"\"\"\n\n";
  s += "    def __init__(self):\n        super().__init__()\n";
  if (standardized) {
    s += say(lang,
             "        # Each input minus its mean over the training set, divided by its spread: the network\n"
             "        # learned on standardised values. (Filled in by load_state_dict.)\n",
             "        # 입력마다 학습 데이터의 평균을 빼고 표준편차로 나눠요. 신경망은 표준화된 값으로\n"
             "        # 학습했어요. (값은 load_state_dict가 채워요.)\n");
    const auto st = standardization_tensors(plan);
    s += "        self.register_buffer(\"input_mean\", torch.zeros" + shape_tuple(st[0].shape) + ")\n";
    s += "        self.register_buffer(\"input_scale\", torch.ones" + shape_tuple(st[0].shape) + ")\n";
  }
  if (!plan.classification) {
    s += say(lang,
             "        # During training the target too was standardised (its mean and spread over the training\n"
             "        # set); predict() turns the network's answer back into the data's units.\n",
             "        # 학습할 때는 목표값도 표준화했어요(학습 데이터의 평균과 표준편차로). predict()가 신경망의\n"
             "        # 답을 데이터의 단위로 되돌려요.\n");
    s += "        self.register_buffer(\"target_mean\", torch.tensor(0.0))\n";
    s += "        self.register_buffer(\"target_scale\", torch.tensor(1.0))\n";
  }
  s += "        self.layers = nn.ModuleList([\n";
  for (size_t i = 0; i < plan.hidden(); ++i) s += "            " + layer_module(plan, i, lang) + "\n";
  s += "        ])\n";
  const LayerInfo& out = plan.output();
  s += "        self.output = nn.Linear(" + std::to_string(out.in[0]) + ", " + std::to_string(out.out[0]) + ")  # " +
       (plan.classification ? say(lang, "the output layer: one unit per class", "출력층: 클래스마다 뉴런 하나")
                            : say(lang, "the output layer: one unit, the value", "출력층: 뉴런 하나(값)")) +
       "\n\n";
  s += "    def forward(self, x):\n";
  if (standardized) {
    s += "        x = (x - self.input_mean) / self.input_scale\n";
  }
  for (size_t i = 0; i < plan.hidden(); ++i) s += layer_forward(plan, i, lang);
  s += "        return self.output(x)\n\n";
  s += "    @torch.no_grad()\n    def predict(self, x):\n";
  if (plan.classification) {
    s += std::string("        \"\"\"") +
         say(lang, "Raw inputs (a batch) -> the probability of each class (float64; each row sums to 1).",
             "raw 입력(배치) -> 클래스마다 확률(float64, 행마다 합이 1).") +
         "\"\"\"\n";
    s += "        return torch.softmax(self(x).double(), dim=1)\n";
  } else {
    s += std::string("        \"\"\"") +
         say(lang, "Raw inputs (a batch) -> the value in the data's units (float64).",
             "raw 입력(배치) -> 데이터 단위의 값(float64).") +
         "\"\"\"\n";
    s += "        return self(x).double()[:, 0] * self.target_scale.double() + self.target_mean.double()\n";
  }

  s += "\n\ndef load_safetensors(source):\n";
  s += say(lang,
           "    \"\"\"The tensors of a .safetensors file (its path, or its bytes), read without the safetensors\n"
           "    package: 8 bytes (a little-endian number) give the length of a JSON header, which names each\n"
           "    tensor's type, shape and place in the bytes that follow.\n"
           "    \"\"\"\n",
           "    \"\"\".safetensors 파일(경로 또는 바이트)의 텐서를 safetensors 패키지 없이 읽어요. 처음 8바이트\n"
           "    (리틀 엔디언 정수)가 JSON 머리말의 길이이고, 머리말에 텐서마다 자료형, 모양, 뒤따르는 바이트 중\n"
           "    어디에 있는지가 적혀 있어요.\n"
           "    \"\"\"\n");
  s += "    if isinstance(source, (bytes, bytearray)):\n        data = bytes(source)\n    else:\n";
  s += "        with open(source, \"rb\") as f:\n            data = f.read()\n";
  s += "    (length,) = struct.unpack(\"<Q\", data[:8])\n";
  s += "    header = json.loads(data[8:8 + length])\n";
  s += "    body = data[8 + length:]\n";
  s += "    types = {\"F32\": torch.float32, \"F64\": torch.float64, \"I64\": torch.int64}\n";
  s += "    tensors = {}\n";
  s += "    for name, info in header.items():\n";
  s += "        if name == \"__metadata__\":\n            continue\n";
  s += "        begin, end = info[\"data_offsets\"]\n";
  s += "        values = torch.frombuffer(bytearray(body[begin:end]), dtype=types[info[\"dtype\"]])\n";
  s += "        tensors[name] = values.reshape(info[\"shape\"])\n";
  s += "    return tensors\n";
  return s;
}

}  // namespace aisb::export_detail
