#include "export/export_support.hpp"
#include "support/job_fixtures.hpp"
#include "support/train_to_model.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stb/stb_image_write.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/job_reader.hpp"
#include "data/dataset.hpp"
#include "data/image_folder.hpp"
#include "data/user_data.hpp"
#include "engine/engine.hpp"

extern char** environ;

namespace aisb::test {

TempDir::TempDir(const std::string& name) {
  static int counter = 0;
  path_ = fs::temp_directory_path() /
          ("aisb-export-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  if (std::getenv("AISB_KEEP_TEST_FILES") == nullptr) fs::remove_all(path_, ec);
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << file;
}

void write_image(const fs::path& file, int width, int height, int channels, const std::vector<uint8_t>& pixels) {
  fs::create_directories(file.parent_path());
  ASSERT_EQ(pixels.size(), static_cast<size_t>(width * height * channels));
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const int ok = ext == ".bmp" ? stbi_write_bmp(file.c_str(), width, height, channels, pixels.data())
                               : stbi_write_png(file.c_str(), width, height, channels, pixels.data(), width * channels);
  ASSERT_NE(ok, 0) << file;
}

Ran run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  Ran r;
  static int counter = 0;
  const std::string base =
      (fs::temp_directory_path() / ("aisb-export-run-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
          .string();
  const std::string out_file = base + ".out", err_file = base + ".err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string v = *e;
    const std::string key = v.substr(0, v.find('='));
    if (env.find(key) == env.end()) vars.push_back(v);
  }
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    r.err = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return r;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_bytes(out_file);
  r.err = read_bytes(err_file);
  std::error_code ec;
  fs::remove(out_file, ec);
  fs::remove(err_file, ec);
  return r;
}

std::string python() {
  return AISB_PYTHON;
}

std::map<std::string, std::string> python_env() {
  return {{"PYTHONNOUSERSITE", "1"},
          {"PYTHONDONTWRITEBYTECODE", "1"},
          {"MPLBACKEND", "Agg"},
          {"PYDEVD_DISABLE_FILE_VALIDATION", "1"},
          {"OMP_NUM_THREADS", "1"}};
}

std::vector<nlohmann::ordered_json> json_lines(const std::string& out) {
  std::vector<nlohmann::ordered_json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    lines.push_back(nlohmann::ordered_json::parse(line, nullptr, false));
  }
  return lines;
}

TrainedModel train_model(const JobSpec& job) {
  RunSummary summary;
  TrainedModel m = train_to_model(job, &summary);
  EXPECT_EQ(summary.reason, "completed") << summary.message;
  return m;
}

namespace {

// A small deterministic generator: the same files on every run.
struct Lcg {
  uint64_t s;
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / static_cast<double>(uint64_t{1} << 53);
  }
  uint8_t byte() { return static_cast<uint8_t>(next() * 256.0); }
};

std::string fixed(double v, int decimals = 3) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(decimals);
  s << v;
  return s.str();
}

JobSpec base_job(const std::string& source, const std::string& task) {
  JobSpec j;
  j.lesson = "export-test";
  j.dataset.source = source;
  j.dataset.samples = 200;
  j.dataset.noise = 0.1;
  j.dataset.test_fraction = 0.25;
  j.dataset.seed = 5;
  j.model.task = task;
  j.model.inputs.clear();  // only the 2-D sets name their input features
  j.training.optimizer = "adam";
  j.training.learning_rate = 0.01;
  j.training.batch_size = 10;
  j.training.epochs = 2;
  j.training.seed = 3;
  return j;
}

// A CSV written by the test, and the raw values its rows give a model.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  [[nodiscard]] std::string text(char delim = ',') const {
    std::string s;
    const auto line = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i) {
        const bool quote = cells[i].find(delim) != std::string::npos;
        s += (i ? std::string(1, delim) : "") + (quote ? "\"" + cells[i] + "\"" : cells[i]);
      }
      s += "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
    return s;
  }

  // Row r's values for `inputs` (columns, or "column=value" one-hot).
  [[nodiscard]] std::vector<float> values(size_t r, const std::vector<std::string>& inputs) const {
    std::vector<float> out;
    for (const auto& name : inputs) {
      bool found = false;
      for (size_t c = 0; c < header.size() && !found; ++c) {
        if (header[c] == name) {
          out.push_back(static_cast<float>(std::stod(rows[r][c])));
          found = true;
        } else if (name.rfind(header[c] + "=", 0) == 0) {
          out.push_back(rows[r][c] == name.substr(header[c].size() + 1) ? 1.0F : 0.0F);
          found = true;
        }
      }
      EXPECT_TRUE(found) << name;
    }
    return out;
  }
};

// The lesson folder of a CSV source: data.csv with numbers, a Korean text
// column (one-hot), a text class and a large value.
Csv own_table(size_t rows, uint64_t seed) {
  Csv csv;
  csv.header = {"time", "temp", "humid", "지역", "yield", "grade"};
  Lcg g{seed};
  const std::vector<std::string> places = {"서울", "부산", "대구"};
  for (size_t i = 0; i < rows; ++i) {
    const double temp = 10 + 20 * g.next(), humid = 30 + 60 * g.next();
    const size_t place = static_cast<size_t>(g.next() * 3) % 3;
    const double yield = 1500 + 80 * temp - 10 * humid + 300 * static_cast<double>(place) + 200 * g.next();
    const std::string grade = yield > 3000 ? "A" : yield > 2400 ? "B" : "C";
    csv.rows.push_back({std::to_string(i), fixed(temp), fixed(humid), places[place], fixed(yield, 1), grade});
  }
  return csv;
}

JobSpec own_data_job(const fs::path& lesson, const Csv& data, const std::string& target, int window,
                     const std::string& task) {
  write_text(lesson / "data.csv", data.text());
  JobSpec j = base_job("csv:data.csv", task);
  j.dataset.target = target;
  j.dataset.features = {"temp", "humid", "지역"};
  j.dataset.window = window;
  Diagnostics diags;
  EXPECT_TRUE(resolve_data(j, lesson, diags)) << diags.first_error();
  return j;
}

// Weights of the model's shapes without training: for a network no data
// set of this version trains (a CNN for regression).
TrainedModel handmade(const JobSpec& job, uint64_t seed) {
  Diagnostics diags;
  const ModelInfo info = describe_model(job, diags);
  EXPECT_TRUE(info.ok) << diags.first_error();
  Lcg g{seed};
  WeightSet weights, buffers;
  for (size_t i = 0; i < info.layers.size(); ++i) {
    const LayerInfo& l = info.layers[i];
    for (const auto& p : l.param_list) {
      NamedTensor t{p.name, p.shape, {}};
      const double bound = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(1, p.fan_in)));
      for (int64_t k = 0; k < shape_elements(p.shape); ++k) {
        t.data.push_back(static_cast<float>(p.init == Init::ones ? 0.5 + g.next() : (2 * g.next() - 1) * bound * 2));
      }
      weights.push_back(std::move(t));
    }
    if (l.spec.type == "batchnorm") {
      const std::string module = "layers." + std::to_string(i);
      NamedTensor mean{module + ".running_mean", {l.in[0]}, {}}, var{module + ".running_var", {l.in[0]}, {}};
      for (int64_t k = 0; k < l.in[0]; ++k) {
        mean.data.push_back(static_cast<float>(g.next() - 0.5));
        var.data.push_back(static_cast<float>(0.2 + g.next()));
      }
      buffers.push_back(std::move(mean));
      buffers.push_back(std::move(var));
    }
  }
  Standardization st;
  st.target_mean = 41.5F;
  st.target_scale = 7.25F;
  TrainedModel m = make_trained_model(job, std::move(weights), st);
  m.buffers = std::move(buffers);
  m.engine = "torch";
  return m;
}

std::vector<float> point(const TrainedModel& m, double x1, double x2) {
  std::vector<float> out(m.job.model.inputs.size());
  point_features(m.job.model.inputs, x1, x2, out.data());
  return out;
}

// x1, x2 in a CSV with an extra column (and a quoted comma, a blank line), and
// in a ';' file with decimal commas.
void point_inputs(ModelCase& c, const fs::path& dir) {
  const std::string a = (dir / "points.csv").string(), b = (dir / "semi.csv").string();
  write_text(a, "note,x2,x1\nfirst,1.5,-2\n\"a, b\",0,0\n\n  ,-4.25,5.5\nlast,3e-1,-0.75\n");
  write_text(b, "x1;x2\n0,5;-1,25\n3;4\n");
  c.args = {a, b};
  const std::vector<std::pair<double, double>> xy = {{-2, 1.5}, {0, 0}, {5.5, -4.25}, {-0.75, 0.3}};
  for (size_t i = 0; i < xy.size(); ++i) {
    c.asked.push_back({a + ":" + std::to_string(i + 1), point(c.model, xy[i].first, xy[i].second)});
  }
  c.asked.push_back({b + ":1", point(c.model, 0.5, -1.25)});
  c.asked.push_back({b + ":2", point(c.model, 3, 4)});
}

// Rows of a table (a UTF-8 file with a BOM and its columns in another
// order, and the same rows in CP949, as Korean Excel saves them).
void table_inputs(ModelCase& c, const fs::path& dir, const Csv& source) {
  Csv in;
  in.header = {"grade", "지역", "humid", "temp"};
  for (size_t r = 0; r < 4; ++r) {
    const auto& s = source.rows[r];
    in.rows.push_back({s[5], s[3], s[2], s[1]});
  }
  in.rows[3][1] = "광주";  // a place never seen: every one-hot input 0
  const std::string a = (dir / "rows.csv").string(), b = (dir / "rows-cp949.csv").string();
  write_text(a, "\xEF\xBB\xBF" + in.text());
  const Ran conv = run({python(), "-c",
                        "import sys; open(sys.argv[2], 'wb').write(open(sys.argv[1], encoding='utf-8-sig').read()"
                        ".encode('cp949'))",
                        a, b},
                       python_env());
  ASSERT_EQ(conv.status, 0) << conv.err;
  c.args = {a, b};
  for (const auto& file : {a, b}) {
    for (size_t r = 0; r < in.rows.size(); ++r) {
      c.asked.push_back({file + ":" + std::to_string(r + 1), in.values(r, c.model.inputs)});
    }
  }
}

// Rows as time steps: a prediction for every full window.
void sequence_inputs(ModelCase& c, const fs::path& dir, const Csv& csv, int steps) {
  const std::string a = (dir / "series.csv").string(), b = (dir / "short.csv").string();
  write_text(a, csv.text());
  Csv short_one = csv;
  short_one.rows.resize(static_cast<size_t>(steps - 1));  // too few rows: no prediction
  write_text(b, short_one.text());
  c.args = {b, a};
  for (size_t r = static_cast<size_t>(steps); r <= csv.rows.size(); ++r) {
    std::vector<float> raw;
    for (size_t k = r - static_cast<size_t>(steps); k < r; ++k) {
      const auto v = csv.values(k, c.model.inputs);
      raw.insert(raw.end(), v.begin(), v.end());
    }
    c.asked.push_back({a + ":" + std::to_string(r), raw});
  }
}

Csv measurements(const std::vector<std::string>& names, size_t rows, uint64_t seed) {
  Csv csv;
  csv.header = names;
  csv.header.insert(csv.header.begin() + 1, "comment");
  Lcg g{seed};
  for (size_t r = 0; r < rows; ++r) {
    std::vector<std::string> row;
    for (size_t k = 0; k < names.size(); ++k) row.push_back(fixed(g.next() * 40 - 5 + static_cast<double>(r)));
    row.insert(row.begin() + 1, "row " + std::to_string(r));
    csv.rows.push_back(row);
  }
  return csv;
}

// Images as a student gives them: files at the network's size, a folder
// (with a subfolder, a BMP, an upper-case extension), and a colour photo of
// another size that is resized and made grey.
void image_inputs(ModelCase& c, const fs::path& dir, int channels, int size) {
  Lcg g{99};
  const auto random_image = [&](int w, int h, int ch) {
    std::vector<uint8_t> px(static_cast<size_t>(w * h * ch));
    for (auto& p : px) p = g.byte();
    return px;
  };
  struct File {
    fs::path path;
    bool listed;  // named on the command line (else found in the folder)
  };
  const fs::path folder = dir / "photos";
  const std::vector<std::pair<fs::path, std::pair<int, int>>> files = {
      {dir / "one.png", {size, size}},
      {folder / "b.png", {size, size}},
      {folder / "c.BMP", {size, size}},
      {folder / "sub" / "a.png", {size + 9, size - 3}},
      {dir / "큰 사진.png", {size * 2 + 5, size + 7}},
      {dir / "small.png", {size / 2, size / 2 + 1}},
  };
  for (const auto& [path, wh] : files) {
    // Grey files for a grey network, except the big photo; colour ones for colour.
    const int ch = channels == 3 || path.filename() == "큰 사진.png" ? 3 : 1;
    write_image(path, wh.first, wh.second, ch, random_image(wh.first, wh.second, ch));
  }
  write_text(folder / "notes.txt", "not an image: left out of the folder\n");
  c.args = {(dir / "one.png").string(), folder.string(), (dir / "큰 사진.png").string(), (dir / "small.png").string()};
  const std::vector<fs::path> order = {dir / "one.png",          folder / "b.png",    folder / "c.BMP",
                                       folder / "sub" / "a.png", dir / "큰 사진.png", dir / "small.png"};
  for (const auto& p : order) {
    std::string why;
    const auto raw = decode_image(read_bytes(p), size, size, channels, &why);
    EXPECT_TRUE(raw.has_value()) << p << ": " << why;
    c.asked.push_back({p.string(), raw.value_or(std::vector<float>{})});
  }
}

// An image folder source of our own: two classes of colour photos.
JobSpec own_images_job(const fs::path& lesson, int size) {
  Lcg g{7};
  for (const std::string cls : {"빨강", "파랑"}) {
    for (int i = 0; i < 12; ++i) {
      std::vector<uint8_t> px(static_cast<size_t>(size * size * 3));
      for (size_t k = 0; k < px.size(); ++k) {
        const bool red = k % 3 == 0, blue = k % 3 == 2;
        const bool strong = cls == "빨강" ? red : blue;
        px[k] = static_cast<uint8_t>(strong ? 150 + g.next() * 100 : g.next() * 120);
      }
      std::string file = "p";
      file += std::to_string(i);
      file += ".png";
      write_image(lesson / "photos" / cls / file, size, size, 3, px);
    }
  }
  JobSpec j = base_job("images:photos", "classification");
  j.dataset.size = {size, size};
  j.dataset.channels = 3;
  Diagnostics diags;
  EXPECT_TRUE(resolve_data(j, lesson, diags, nullptr, true)) << diags.first_error();
  return j;
}

}  // namespace

std::vector<std::string> case_names() {
  return {"dense_points", "dense_norm_regression", "table_classification", "table_regression",
          "cnn_digits",   "cnn_own_photos",        "cnn_regression",       "lstm_battery",
          "gru_air",      "lstm_csv_classes",      "gru_csv_regression"};
}

ModelCase make_case(const std::string& name, const fs::path& dir) {
  ModelCase c;
  c.name = name;
  const fs::path lesson = dir / "lesson";
  if (name == "dense_points") {
    // The fast engine's path: dense layers with every activation.
    JobSpec j = base_job("xor", "classification");
    j.model.inputs = {"x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"};
    j.model.layers = {dense(6, "relu"),       dense(5, "tanh"), dense(5, "sigmoid"),
                      dense(4, "leaky_relu"), dense(4, "gelu"), dense(3, "linear")};
    c.model = train_model(j);
    point_inputs(c, dir);
  } else if (name == "dense_norm_regression") {
    JobSpec j = base_job("plane", "regression");
    j.model.inputs = {"x1", "x2", "x1_x2"};
    j.model.layers = {dense(8, "gelu"), dropout(0.25), layer("batchnorm"), dense(4, "leaky_relu"), dense(3, "linear")};
    c.model = train_model(j);
    point_inputs(c, dir);
  } else if (name == "table_classification" || name == "table_regression") {
    const Csv data = own_table(80, 11);
    const bool classes = name == "table_classification";
    JobSpec j = own_data_job(lesson, data, classes ? "grade" : "yield", 0, classes ? "classification" : "regression");
    j.model.layers =
        classes ? std::vector<LayerSpec>{dense(6, "relu"), layer("batchnorm"), dropout(0.1), dense(4, "sigmoid")}
                : std::vector<LayerSpec>{dense(6, "tanh"), dense(4, "linear")};
    c.model = train_model(j);
    c.data_dir = lesson;
    table_inputs(c, dir, data);
  } else if (name == "cnn_digits") {
    JobSpec j = base_job("digits", "classification");
    j.model.layers = {conv(4, 3, 1, "valid", "relu"),
                      layer("batchnorm"),
                      conv(4, 3, 2, "same", "tanh"),
                      pool(2),
                      dropout(0.2),
                      layer("flatten"),
                      dense(8, "gelu")};
    c.model = train_model(j);
    image_inputs(c, dir, 1, 28);
  } else if (name == "cnn_own_photos") {
    JobSpec j = own_images_job(lesson, 12);
    j.model.layers = {conv(3, 3, 1, "same", "sigmoid"), pool(2),          layer("batchnorm"),
                      conv(3, 2, 1, "valid", "linear"), layer("flatten"), dense(4, "leaky_relu")};
    c.model = train_model(j);
    c.data_dir = lesson;
    image_inputs(c, dir, 3, 12);
  } else if (name == "cnn_regression") {
    // No data set of this version asks a CNN for a value; the network is
    // made by hand (an image regression's model file would look the same).
    JobSpec j = base_job("digits", "regression");
    j.model.layers = {conv(3, 5, 2, "valid", "leaky_relu"),
                      layer("batchnorm"),
                      conv(2, 3, 1, "same", "gelu"),
                      pool(3),
                      dropout(0.3),
                      layer("flatten"),
                      dense(5, "relu")};
    c.model = handmade(j, 17);
    image_inputs(c, dir, 1, 28);
  } else if (name == "lstm_battery" || name == "gru_air") {
    const bool lstm = name == "lstm_battery";
    JobSpec j = base_job(lstm ? "battery-fade" : "air-quality", "regression");
    j.dataset.samples = 120;
    j.model.layers = lstm ? std::vector<LayerSpec>{recurrent("lstm", 6), dense(4, "relu")}
                          : std::vector<LayerSpec>{recurrent("gru", 5), dropout(0.1), dense(3, "tanh")};
    c.model = train_model(j);
    sequence_inputs(c, dir, measurements(c.model.inputs, 27, lstm ? 3 : 4), 24);
  } else if (name == "lstm_csv_classes" || name == "gru_csv_regression") {
    const Csv data = own_table(90, 23);
    const bool classes = name == "lstm_csv_classes";
    JobSpec j = own_data_job(lesson, data, classes ? "grade" : "yield", 4, classes ? "classification" : "regression");
    j.model.layers = classes ? std::vector<LayerSpec>{recurrent("lstm", 5), layer("batchnorm"), dense(3, "sigmoid")}
                             : std::vector<LayerSpec>{recurrent("gru", 4), dense(3, "gelu")};
    c.model = train_model(j);
    c.data_dir = lesson;
    Csv in = own_table(7, 31);
    sequence_inputs(c, dir, in, 4);
  } else {
    ADD_FAILURE() << "no case " << name;
  }
  return c;
}

void expect_matches(const nlohmann::ordered_json& line, const Asked& asked, const Prediction& ours,
                    const TrainedModel& model, const std::string& where) {
  ASSERT_TRUE(line.is_object()) << where << ": " << line.dump();
  EXPECT_EQ(line.value("input", ""), asked.label) << where;
  if (model.job.model.task == "classification") {
    ASSERT_EQ(line.size(), 3u) << where << ": " << line.dump();
    auto it = line.begin();
    EXPECT_EQ(it.key(), "input");
    EXPECT_EQ((++it).key(), "class");
    EXPECT_EQ((++it).key(), "probabilities");
    EXPECT_EQ(line.value("class", ""), model.classes.at(static_cast<size_t>(ours.klass))) << where;
    const auto& p = line.at("probabilities");
    ASSERT_EQ(p.size(), model.classes.size()) << where;
    size_t k = 0;
    for (auto e = p.begin(); e != p.end(); ++e, ++k) {
      EXPECT_EQ(e.key(), model.classes[k]) << where;
      EXPECT_NEAR(e.value().get<double>(), ours.probabilities[k], 1e-5) << where << " class " << e.key();
    }
  } else {
    ASSERT_EQ(line.size(), 2u) << where << ": " << line.dump();
    EXPECT_EQ(std::next(line.begin()).key(), "value");
    EXPECT_NEAR(line.at("value").get<double>(), ours.value, 1e-5 * std::max(1.0, std::fabs(ours.value))) << where;
  }
}

}  // namespace aisb::test
