// `export --to pytorch`: a folder with model.py (the network, a reader for the
// inputs `aisandbox-cli predict` takes, and a main that prints the same JSON
// lines) and model.safetensors (the weights and the standardisation).
#include <map>
#include <string>
#include <utility>

#include "export/export.hpp"
#include "export/export_internal.hpp"

namespace aisb::export_detail {

namespace fs = std::filesystem;

namespace {

// The readers and main of model.py. Words a person reads are @@keys@@,
// filled in the student's language from kWords.
constexpr const char* kReaders = R"PY(

def load_model(path=None):
    """@@load_model_doc@@"""
    if path is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.safetensors")
    model = Network()
    model.load_state_dict(load_safetensors(path))
    return model.eval()  # @@eval_comment@@


# ---------------------------------------------------------------------------
# @@readers_title@@

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
SPACE = " \t\r\n"
MISSING_CELLS = ("", "na", "n/a", "#n/a", "nan", "-", "null")  # @@missing_cells_comment@@


class InputError(Exception):
    """@@input_error_doc@@"""


def read_inputs(paths):
    """@@read_inputs_doc@@"""
    samples = []
    for path in paths:
        if os.path.isdir(path):
            files = []
            for root, _, names in os.walk(path):
                files += [os.path.join(root, name) for name in names if name.lower().endswith(IMAGE_TYPES)]
            samples += [(file, read_image(file)) for file in sorted(files)]
        elif not os.path.isfile(path):
            raise InputError(@@msg_no_file@@)
        elif path.lower().endswith(IMAGE_TYPES):
            samples.append((path, read_image(path)))
        else:
            samples += read_csv(path)
    return samples


def read_image(path):
    """@@read_image_doc@@"""
    if KIND != "image":
        raise InputError(@@msg_not_image_model@@)
    try:
        import numpy
        from PIL import Image
    except ImportError:
        raise InputError(@@msg_need_pillow@@)
    channels, height, width = INPUT_SHAPE
    try:
        with Image.open(path) as image:
            pixels = numpy.asarray(image.convert("RGB"), dtype=numpy.int64)
    except Exception as e:  # @@image_error_comment@@
        raise InputError(f"{path}: {e}")
    if channels == 1:
        # @@grey_comment@@
        pixels = (299 * pixels[:, :, 0] + 587 * pixels[:, :, 1] + 114 * pixels[:, :, 2] + 500) // 1000
        pixels = pixels[:, :, None]
    return torch.from_numpy(resize(pixels, height, width)).float() / 255


def resize(pixels, height, width):
    """@@resize_doc@@"""
    import numpy
    down = _weights(pixels.shape[0], height)
    across = _weights(pixels.shape[1], width)
    # @@resize_exact@@
    planes = pixels.transpose(2, 0, 1).astype(numpy.float64)
    rows = ((planes @ across.T).astype(numpy.int64) + (1 << 7)) >> 8
    out = ((down @ rows.astype(numpy.float64)).astype(numpy.int64) + (1 << 19)) >> 20
    return numpy.minimum(out, 255)


def _weights(n_in, n_out):
    """@@weights_doc@@"""
    import numpy
    w = numpy.zeros((n_out, n_in))
    scale = n_in / n_out
    for i in range(n_out):
        if scale >= 1.0:
            lo, hi = i * scale, (i + 1) * scale
            taps, j = [], math.floor(lo)
            while j < n_in and j < hi:
                overlap = min(hi, j + 1.0) - max(lo, float(j))
                if overlap > 0:
                    taps.append((j, overlap))
                j += 1
        else:
            centre = (i + 0.5) * scale - 0.5
            j0 = math.floor(centre)
            f = centre - j0
            taps = [(min(max(j0, 0), n_in - 1), 1.0 - f), (min(max(j0 + 1, 0), n_in - 1), f)]
        total = 0.0
        for _, share in taps:
            total += share
        running, before = 0.0, 0
        for k, (j, share) in enumerate(taps):
            running += share
            if k == len(taps) - 1:
                upto = 1 << 14
            else:
                x = running / total * (1 << 14)
                upto = math.floor(x)
                if x - upto >= 0.5:  # @@round_comment@@
                    upto += 1
            w[i, j] += upto - before
            before = upto
    return w


def read_csv(path):
    """@@read_csv_doc@@"""
    if KIND == "image":
        raise InputError(@@msg_not_table_model@@)
    with open(path, "rb") as f:
        text = decode(f.read(), path)
    # @@sep_comment@@
    eol = re.search(r"[\r\n]", text)
    first = text[:eol.start()] if eol else text
    if first.strip(SPACE) in ("sep=,", "sep=;") or first == "sep=\t":
        delimiter = first.strip(SPACE)[4] if first != "sep=\t" else "\t"
        text = text[eol.end():] if eol else ""
        if eol and eol.group() == "\r" and text.startswith("\n"):
            text = text[1:]
    else:
        delimiter = find_delimiter(text)
    header, places, rows, row, dropped = None, None, [], 0, 0
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if header is None:
            header = [cell.strip(SPACE) for cell in cells]
            places = [place(name, header, path) for name in COLUMNS]
            continue
        if all(not cell.strip(SPACE) for cell in cells):
            continue  # @@blank_comment@@
        row += 1
        values = [value(cells, where, path, row, delimiter == ";") for where in places]
        if None in values:  # @@missing_comment@@
            if MISSING == "drop":
                dropped += 1
                continue
            if MISSING != "mean" or len(FILL) != len(values):
                name = places[values.index(None)][2]
                raise InputError(@@msg_empty_cell@@)
            values = [FILL[k] if v is None else v for k, v in enumerate(values)]
        if KIND == "points":
            values = point_features(values[0], values[1])
        rows.append((row, values, key_cell(cells, header, GROUP), key_cell(cells, header, ORDER)))
    if header is None:
        raise InputError(@@msg_empty_csv@@)
    if dropped:
        print(@@msg_dropped@@, file=sys.stderr)
    if KIND != "sequence":
        return [(f"{path}:{r}", torch.tensor(v, dtype=torch.float32)) for r, v, _, _ in rows]
    # @@window_comment@@
    series = {}
    for entry in rows:
        series.setdefault(entry[2], []).append(entry)
    samples, steps = [], INPUT_SHAPE[0]
    for one in series.values():
        if ORDER in header:
            numbers = all(NUMBER.fullmatch(entry[3]) for entry in one)
            one.sort(key=lambda entry: float(entry[3]) if numbers else natural(entry[3]))
        for end in range(steps, len(one) + 1):
            window = [entry[1] for entry in one[end - steps:end]]
            samples.append((f"{path}:{one[end - 1][0]}", torch.tensor(window, dtype=torch.float32)))
    return samples


def key_cell(cells, header, name):
    """@@key_cell_doc@@"""
    if not name or name not in header:
        return ""
    at = header.index(name)
    return cells[at].strip(SPACE) if at < len(cells) else ""


def natural(text):
    """@@natural_doc@@"""
    parts = re.split(r"(\d+)", text)
    return [int(part) if k % 2 else part for k, part in enumerate(parts)]


def decode(raw, path):
    """@@decode_doc@@"""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise InputError(@@msg_not_text@@)


def find_delimiter(text):
    """@@delimiter_doc@@"""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = content = False
    for c in text:
        if c == '"':
            quoted = not quoted
        elif not quoted and c in "\r\n":
            if content:
                break
        elif not quoted and c in counts:
            counts[c] += 1
        if c not in SPACE:
            content = True
    if counts[";"] > counts[","] and counts[";"] >= counts["\t"]:
        return ";"
    if counts["\t"] > counts[","] and counts["\t"] > counts[";"]:
        return "\t"
    return ","


def place(name, header, path):
    """@@place_doc@@"""
    if name in header:
        return header.index(name), None, name
    for column in sorted(header, key=len, reverse=True):
        if column and name.startswith(column + "="):
            return header.index(column), name[len(column) + 1:], column
    raise InputError(@@msg_no_column@@)


def value(cells, where, path, row, decimal_comma):
    """@@value_doc@@"""
    column, level, name = where
    cell = cells[column].strip(SPACE) if column < len(cells) else ""
    if level is not None:
        return 1.0 if cell == level else 0.0
    text = cell
    if decimal_comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if NUMBER.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) and abs(number) <= 3.4028234663852886e38 else None
    if text.lower() in MISSING_CELLS:
        return None
    raise InputError(@@msg_not_number@@)


# ---------------------------------------------------------------------------
# @@main_title@@

def as_json(label, answer):
    """@@as_json_doc@@"""
    if TASK == "classification":
        probabilities = answer.float().tolist()  # @@float32_comment@@
        best = int(answer.argmax())
        return {"input": label, "class": CLASSES[best],
                "probabilities": {name: round(p, 6) for name, p in zip(CLASSES, probabilities)}}
    return {"input": label, "value": round(float(answer), 6)}


def example():
    """@@example_doc@@"""
    model = load_model()
@@example_body@@

def main(args):
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    if not args or args[0] in ("-h", "--help"):
        print(@@msg_usage@@, file=sys.stderr)
        if not args:
            example()
        return 0
    try:
        samples = read_inputs(args)
    except InputError as e:
        print(f"model.py: {e}", file=sys.stderr)
        return 1
    model = load_model()
    for start in range(0, len(samples), 256):
        chunk = samples[start:start + 256]
        answers = model.predict(torch.stack([sample for _, sample in chunk]))
        for (label, _), answer in zip(chunk, answers):
            print(json.dumps(as_json(label, answer), ensure_ascii=False, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
)PY";

using Words = std::map<std::string, std::pair<const char*, const char*>>;

const Words& words() {
  static const Words w = {
      {"load_model_doc",
       {"The network with its trained weights (model.safetensors beside this file), ready to predict.",
        "학습한 가중치(이 파일 옆의 model.safetensors)를 넣은 신경망. 바로 예측할 수 있어요."}},
      {"eval_comment",
       {"evaluation mode: dropout off, batch norm uses its running statistics",
        "평가 모드: dropout은 꺼지고, batch norm은 학습 중에 모은 통계를 써요"}},
      {"readers_title",
       {"Inputs as `aisandbox-cli predict` reads them: CSV files (one sample a row), images, folders of images.",
        "`aisandbox-cli predict`와 같은 방법으로 입력을 읽어요: CSV 파일(행마다 샘플 하나), 그림, 그림 폴더."}},
      {"input_error_doc", {"An input that cannot be read, with what is wrong.", "읽을 수 없는 입력과 그 이유."}},
      {"read_inputs_doc",
       {"(label, sample) for every prediction the inputs ask for, in order. A folder gives its image files\n"
        "    (in subfolders too), sorted by path; a CSV file one sample per data row; an image itself.",
        "입력이 요청하는 예측마다 (이름표, 샘플)을 순서대로 줘요. 폴더는 그 안의(하위 폴더 포함) 그림 파일을\n"
        "    경로 순서로, CSV 파일은 데이터 행마다 샘플 하나를, 그림 파일은 그 그림을 줘요."}},
      {"msg_no_file", {"f\"{path}: no such file or folder\"", "f\"{path}: 그런 파일이나 폴더가 없어요\""}},
      {"read_image_doc",
       {"An image file as the network sees it: grey or RGB, resized to the network's size, values 0..1.",
        "신경망이 보는 그림: 회색조 또는 RGB로 바꾸고, 신경망의 크기로 줄이거나 늘리고, 값은 0..1이에요."}},
      {"msg_not_image_model",
       {"f\"{path}: this network does not read images (it reads CSV rows)\"",
        "f\"{path}: 이 신경망은 그림을 읽지 않아요(CSV 행을 읽어요)\""}},
      {"msg_need_pillow",
       {"\"reading images needs Pillow and NumPy (pip install pillow numpy)\"",
        "\"그림을 읽으려면 Pillow와 NumPy가 필요해요(pip install pillow numpy)\""}},
      {"grey_comment",
       {"grey as AI Sandbox computes it: (299 R + 587 G + 114 B) / 1000, rounded",
        "AI Sandbox와 같은 회색조: (299 R + 587 G + 114 B) / 1000을 반올림"}},
      {"resize_doc",
       {"Resizes an image (rows x columns x channels, whole numbers 0..255) to channels x height x width the\n"
        "    way AI Sandbox does, so that both give the same pixels: shrinking averages the area under each new\n"
        "    pixel, enlarging interpolates between pixel centres, with whole-number weights that add up to\n"
        "    2^14. (Decoders differ a little for JPEG, so a JPEG's pixels may still differ slightly.)",
        "그림(행 x 열 x 채널, 0..255의 정수)을 AI Sandbox와 똑같은 방법으로 채널 x 높이 x 너비로 바꿔요. 그래서\n"
        "    둘의 픽셀이 같아요. 줄일 때는 새 픽셀이 덮는 넓이의 평균을, 늘릴 때는 픽셀 중심 사이를 보간하고,\n"
        "    가중치는 합이 2^14인 정수예요. (JPEG는 해독기마다 조금 달라서 픽셀이 조금 다를 수 있어요.)"}},
      {"resize_exact",
       {"whole numbers below 2^53: exact in float64, so the matrix products are exact",
        "2^53보다 작은 정수라 float64로도 정확해서, 행렬 곱이 정확해요"}},
      {"weights_doc",
       {"n_out x n_in whole-number weights, each row adding up to 2^14 (AI Sandbox's axis_taps).",
        "n_out x n_in 정수 가중치. 행마다 합이 2^14예요(AI Sandbox의 axis_taps와 같아요)."}},
      {"round_comment", {"half away from zero, as C's lround", "C의 lround처럼 0.5는 0에서 먼 쪽으로"}},
      {"read_csv_doc",
       {"One sample per data row, labelled FILE:ROW (ROW counts data rows from 1; the header row and blank\n"
        "    rows are not counted). A sequence network takes the rows as time steps: the sample of row r is\n"
        "    rows r-T+1 .. r, so the first T-1 rows give none.",
        "데이터 행마다 샘플 하나, 이름표는 파일:행(행은 데이터 행을 1부터 세요. 머리글 행과 빈 행은 세지\n"
        "    않아요). 시퀀스 신경망은 행을 시간 단계로 읽어요: r행의 샘플은 r-T+1 .. r행이라서, 처음 T-1개\n"
        "    행에는 예측이 없어요."}},
      {"msg_not_table_model",
       {"f\"{path}: this network reads images, not CSV files\"",
        "f\"{path}: 이 신경망은 CSV 파일이 아니라 그림을 읽어요\""}},
      {"sep_comment",
       {"Excel's \"sep=;\" first line names the delimiter; else the one the header uses most",
        "엑셀의 \"sep=;\" 첫 줄이 있으면 그 구분자를, 없으면 머리글에 가장 많이 쓴 구분자를 써요"}},
      {"blank_comment", {"blank rows are skipped and not counted", "빈 행은 건너뛰고 세지 않아요"}},
      {"window_comment", {"the last T rows, T = INPUT_SHAPE[0]", "마지막 T개 행, T = INPUT_SHAPE[0]"}},
      {"msg_empty_csv", {"f\"{path}: the file is empty\"", "f\"{path}: 파일이 비어 있어요\""}},
      {"decode_doc",
       {"The file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM, or CP949 (Korean Excel).",
        "파일의 글자: UTF-8(BOM이 있어도 없어도), BOM이 있는 UTF-16, 또는 CP949(한국어 엑셀)."}},
      {"msg_not_text",
       {"f\"{path}: not a CSV file (neither UTF-8 nor CP949 text)\"",
        "f\"{path}: CSV 파일이 아니에요(UTF-8도 CP949도 아니에요)\""}},
      {"delimiter_doc",
       {"The delimiter the header line uses most outside quotes; a comma when none or a tie.",
        "머리글 줄에서 따옴표 밖에 가장 많이 나오는 구분자. 없거나 같으면 쉼표."}},
      {"place_doc",
       {"Where an input comes from: (column, None, name) for a number; (column, value, name) for\n"
        "    \"column=value\", which is 1 where the cell is that value and 0 elsewhere.",
        "입력을 어디서 가져오는지: 숫자는 (열, None, 이름), \"열=값\"은 (열, 값, 이름)이고 칸이 그 값이면 1,\n"
        "    아니면 0이에요."}},
      {"msg_no_column",
       {"f\"{path}: there is no column {name!r}; the network needs the columns {', '.join(COLUMNS)}\"",
        "f\"{path}: {name!r} 열이 없어요. 신경망에는 {', '.join(COLUMNS)} 열이 필요해요\""}},
      {"value_doc",
       {"A row's value for one input (a decimal comma is allowed where ';' separates the cells).",
        "한 행에서 입력 하나의 값(';'로 칸을 나눈 파일에서는 소수점 쉼표도 돼요)."}},
      {"msg_not_number",
       {"f\"{path}:{row}: column {name!r} holds {cell!r}, not a number\"",
        "f\"{path}:{row}: {name!r} 열의 {cell!r}은(는) 숫자가 아니에요\""}},
      {"image_error_comment",
       {"a damaged file, or one too large to open safely (Pillow's DecompressionBombError)",
        "망가진 파일이거나, 안전하게 열기에는 너무 큰 파일(Pillow의 DecompressionBombError)"}},
      {"missing_comment",
       {"an empty cell: left out or given the training mean, as the lesson said (MISSING), else an error",
        "빈 칸: 수업에서 정한 대로(MISSING) 그 행을 빼거나 학습 때의 평균을 넣고, 아니면 오류예요"}},
      {"missing_cells_comment",
       {"what counts as an empty cell, as AI Sandbox reads CSV files",
        "AI 샌드박스가 CSV를 읽을 때 빈 칸으로 보는 값"}},
      {"key_cell_doc",
       {"The row's cell of the column `name` (the lesson's group or order), or \"\".",
        "`name` 열(수업의 group 또는 order)에 있는 그 행의 칸, 없으면 \"\"."}},
      {"natural_doc",
       {"A sort key that orders runs of digits by their value (\"9:00\" before \"10:00\").",
        "숫자 부분을 값으로 비교하는 정렬 키(\"9:00\"이 \"10:00\"보다 먼저)."}},
      {"msg_dropped",
       {"f\"note: {path}: {dropped} rows with empty cells left out, as in training (missing = \\\"drop\\\")\"",
        "f\"note: {path}: 빈 칸이 있는 행 {dropped}개를 학습 때처럼 뺐어요(missing = \\\"drop\\\")\""}},
      {"msg_empty_cell",
       {"f\"{path}:{row}: the cell of column {name!r} is empty\"",
        "f\"{path}:{row}: {name!r} 열의 칸이 비어 있어요\""}},
      {"main_title",
       {"python3 model.py INPUT...: one JSON line per prediction, as `aisandbox-cli predict MODEL INPUT... --json`.",
        "python3 model.py 입력...: 예측마다 JSON 한 줄, `aisandbox-cli predict 모델 입력... --json`과 같아요."}},
      {"as_json_doc",
       {"One prediction as `aisandbox-cli predict --json` writes it (numbers rounded to 6 decimals).",
        "`aisandbox-cli predict --json`과 같은 모양의 예측 하나(숫자는 소수점 아래 6자리로 반올림)."}},
      {"float32_comment", {"as float32 first, as AI Sandbox keeps them", "AI Sandbox처럼 먼저 float32로"}},
      {"example_doc", {"One prediction, by hand.", "직접 해 보는 예측 하나."}},
      {"msg_usage",
       {"\"usage: python3 model.py INPUT...  (CSV files, images, folders of images)\\n\"\n"
        "              \"with no INPUT: one example prediction\"",
        "\"사용법: python3 model.py 입력...  (CSV 파일, 그림, 그림 폴더)\\n\"\n"
        "              \"입력이 없으면 예시 예측 하나를 보여 줘요\""}},
  };
  return w;
}

std::string localize(std::string text, const std::string& lang, const std::map<std::string, std::string>& extra) {
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = text.find("@@", at);
    if (open == std::string::npos) break;
    const size_t close = text.find("@@", open + 2);
    const std::string key = text.substr(open + 2, close - open - 2);
    out += text.substr(at, open - at);
    if (auto e = extra.find(key); e != extra.end()) {
      out += e->second;
    } else {
      const auto& w = words().at(key);
      out += say(lang, w.first, w.second);
    }
    at = close + 2;
  }
  return out + text.substr(at);
}

// The body of example(): one made-up sample and what the network says.
std::string example_body(const Plan& plan, const std::string& lang) {
  std::string s;
  if (plan.kind == "points") {
    s += "    x = torch.tensor([point_features(1.0, -2.0)])  # " +
         std::string(say(lang, "the point x1 = 1, x2 = -2", "점 x1 = 1, x2 = -2")) + "\n";
  } else if (plan.kind == "image") {
    s += "    x = torch.zeros((1,) + INPUT_SHAPE)  # " + std::string(say(lang, "a black picture", "검은 그림")) + "\n";
  } else if (!plan.model->standardization.mean.empty()) {
    s += "    x = model.input_mean.expand((1,) + INPUT_SHAPE).clone()  # " +
         std::string(say(lang, "every input at its mean over the training set", "모든 입력이 학습 데이터의 평균")) +
         "\n";
  } else {
    s +=
        "    x = torch.zeros((1,) + INPUT_SHAPE)  # " + std::string(say(lang, "every input 0", "모든 입력이 0")) + "\n";
  }
  if (plan.classification) {
    s += "    probabilities = model.predict(x)[0]\n";
    s += "    best = int(probabilities.argmax())\n";
    s += std::string("    print(") +
         say(lang, "f\"the network says: {CLASSES[best]} ({float(probabilities[best]):.1%})\"",
             "f\"신경망의 답: {CLASSES[best]} ({float(probabilities[best]):.1%})\"") +
         ")\n";
  } else {
    s += "    value = float(model.predict(x)[0])\n";
    s += std::string("    print(") + say(lang, "f\"the network says: {value:.4f}\"", "f\"신경망의 답: {value:.4f}\"") +
         ")\n";
  }
  return s;
}

std::string model_py(const Plan& plan, const std::string& lang) {
  const TrainedModel& m = *plan.model;
  std::string s = "#!/usr/bin/env python3\n";
  if (lang == "ko") {
    s += "# " + one_line(m.job.lesson.empty() ? "AI Sandbox" : m.job.lesson) +
         ": AI Sandbox에서 학습시킨 신경망을 PyTorch로 내보냈어요" +
         (m.app.empty() ? "" : " (" + one_line(m.app) + (m.created.empty() ? "" : ", " + one_line(m.created)) + ")") +
         ".\n#\n";
    s += "#   Network        PyTorch 모듈로 쓴 신경망(층과 가중치 이름이 AI Sandbox와 같아요)\n";
    s += "#   load_model()   model.safetensors의 학습한 가중치를 넣은 신경망\n";
    s += "#   read_inputs()  CSV 파일, 그림, 그림 폴더를 신경망의 입력으로 읽어요\n#\n";
    s += "# 실행: python3 model.py 입력...   (CSV 파일, 그림, 그림 폴더)\n";
    s += "# 예측마다 JSON 한 줄을 출력해요. `aisandbox-cli predict 모델 입력... --json`과 같아요.\n";
    s += "# 필요한 것: PyTorch(그림에는 Pillow와 NumPy도). safetensors 패키지는 필요 없어요.\n";
  } else {
    s += "# " + one_line(m.job.lesson.empty() ? "AI Sandbox" : m.job.lesson) +
         ": the network trained in AI Sandbox, exported to PyTorch" +
         (m.app.empty() ? "" : " (" + one_line(m.app) + (m.created.empty() ? "" : ", " + one_line(m.created)) + ")") +
         ".\n#\n";
    s += "#   Network        the network as a PyTorch module (the layers and weight names of AI Sandbox)\n";
    s += "#   load_model()   the network with its trained weights from model.safetensors\n";
    s += "#   read_inputs()  CSV files, images and folders of images as the network's inputs\n#\n";
    s += "# Run it:  python3 model.py INPUT...   (CSV files, images, folders of images)\n";
    s += "# It prints one JSON line per prediction, as `aisandbox-cli predict MODEL INPUT... --json` does.\n";
    s += "# Needs PyTorch (and Pillow and NumPy for images); not the safetensors package.\n";
  }
  s += "\n";
  s += python_network_source(plan, lang, {"csv", "io", "os", "re", "sys"});
  s += localize(kReaders, lang, {{"example_body", example_body(plan, lang)}});
  return s;
}

}  // namespace

void write_pytorch(const Plan& plan, const fs::path& dir, const std::string& lang) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw ExportError("cannot write " + dir.string() + ": it is a file, and a PyTorch export is a folder");
  }
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw ExportError("cannot make the folder " + dir.string() + ": " + ec.message());
  }
  write_file(dir / "model.safetensors", safetensors_bytes(state_tensors(plan), model_metadata(plan)));
  write_file(dir / "model.py", model_py(plan, lang));
}

}  // namespace aisb::export_detail
