// The app, for real: a virtual X server (Xvfb, Mesa's software OpenGL), the
// aisandbox program drawing each main view in Korean and in English, and
// checks on the PNG it saves: the right size, not blank, the expected
// regions drawn (the orange/blue decision boundary, the green "goal
// reached" card, the lesson cards), and progress saved where it belongs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <stb_image.h>
#include <stb_image_write.h>
#include <nlohmann/json.hpp>

#include "screens.hpp"

#ifdef AISB_CENTER
#include "../center/center_process.hpp"
#include "net/http.hpp"
#endif

namespace fs = std::filesystem;

namespace {

const auto* const kX = ::testing::AddGlobalTestEnvironment(new aisb::test::XServer);
using aisb::test::Image;
using aisb::test::load;
using aisb::test::share;
using aisb::test::XServer;
struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // fractions of the image
};

// Where, inside the box `in`, the rows and the columns that hold at least
// `min_run` pixels of the colour begin and end: a large patch of that colour
// (the decision map), found wherever the layout puts it.
Box patch(const Image& im, const Box& in, int r, int g, int b, int tol, int min_run) {
  const int x0 = static_cast<int>(in.x0 * im.w), x1 = static_cast<int>(in.x1 * im.w);
  const int y0 = static_cast<int>(in.y0 * im.h), y1 = static_cast<int>(in.y1 * im.h);
  std::vector<int> rows(static_cast<size_t>(y1 - y0)), cols(static_cast<size_t>(x1 - x0));
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const unsigned char* p = im.at(x, y);
      if (std::abs(p[0] - r) < tol && std::abs(p[1] - g) < tol && std::abs(p[2] - b) < tol) {
        ++rows[static_cast<size_t>(y - y0)];
        ++cols[static_cast<size_t>(x - x0)];
      }
    }
  const auto span = [&](const std::vector<int>& v, int base, int size, double& lo, double& hi) {
    int first = -1, last = -1;
    for (int i = 0; i < static_cast<int>(v.size()); ++i)
      if (v[static_cast<size_t>(i)] >= min_run) {
        if (first < 0) first = i;
        last = i;
      }
    lo = first < 0 ? 0 : static_cast<double>(base + first) / size;
    hi = first < 0 ? 0 : static_cast<double>(base + last + 1) / size;
  };
  Box out;
  span(cols, x0, im.w, out.x0, out.x1);
  span(rows, y0, im.h, out.y0, out.y1);
  return out;
}

// The two class colours every 2-D view draws in.
struct Colour {
  int r, g, b;
};
constexpr Colour kOrange{245, 147, 34}, kBlue{8, 119, 189};

double share(const Image& im, const Box& in, Colour c, int tol = 50) {
  return share(im, in.x0, in.y0, in.x1, in.y1, c.r, c.g, c.b, tol);
}

// The decision map: the patch of orange rows and columns in the output
// panel (the right third), wherever the layout puts it.
Box decision_map(const Image& im, int min_run) {
  return patch(im, {0.66, 0.3, 0.99, 0.95}, kOrange.r, kOrange.g, kOrange.b, 50, min_run);
}

size_t colours(const Image& im) {
  std::set<uint32_t> seen;
  for (size_t i = 0; i < im.px.size(); i += 4 * 7)
    seen.insert(static_cast<uint32_t>(im.px[i] << 16 | im.px[i + 1] << 8 | im.px[i + 2]));
  return seen.size();
}

class Screens : public ::testing::TestWithParam<std::string> {
 public:
  fs::path dir = fs::temp_directory_path() / ("aisb_screens_" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir / "state"); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // Runs the app; returns its exit code and the screenshot.
  int shoot(const std::string& args, Image& out, const std::string& name, const std::string& env = "") {
    const fs::path png = dir / (name + "_" + GetParam() + ".png");
    const std::string cmd = env + " DISPLAY=" + XServer::display + " XDG_STATE_HOME=" + (dir / "state").string() +
                            " LIBGL_ALWAYS_SOFTWARE=1 " + AISB_APP + " --lang " + GetParam() + " " + args +
                            " --screenshot " + png.string() + " 2>" + (dir / "stderr.txt").string();
    const int status = std::system(cmd.c_str());
    out = load(png);
    if (const char* keep = std::getenv("AISB_KEEP_SCREENSHOTS"); keep != nullptr && *keep != '\0') {
      fs::create_directories(keep);
      fs::copy_file(png, fs::path(keep) / png.filename(), fs::copy_options::overwrite_existing);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string lesson(const std::string& rel) { return std::string(AISB_SOURCE_DIR) + "/lessons/" + rel; }
};

TEST_P(Screens, LessonBrowser) {
  Image im;
  ASSERT_EQ(shoot("--frames 30", im, "browser"), 0);
  ASSERT_EQ(im.w, 1600);
  ASSERT_EQ(im.h, 1000);
  EXPECT_GT(colours(im), 40u);
  // The light theme's white cards fill much of the window below the title.
  EXPECT_GT(share(im, 0.0, 0.2, 1.0, 0.9, 255, 255, 255, 6), 0.25);
  // The playground button in the accent blue.
  EXPECT_GT(share(im, 0.0, 0.1, 0.3, 0.2, 11, 105, 170, 20), 0.01);
}

TEST_P(Screens, PlaygroundLearnsCircle) {
  Image im;
  ASSERT_EQ(shoot("--playground --autoplay --frames 240 --size 1600x1000", im, "playground"), 0);
  ASSERT_EQ(im.w, 1600);
  // The decision boundary (right third) shows both classes' colours, and
  // it has learned the circle: blue in the middle of the map, orange in its
  // corners. (The blue disc is about 5% of the whole panel, so the panel's
  // share of blue alone says little.)
  const double orange = share(im, {0.68, 0.35, 0.98, 0.85}, kOrange);
  const double blue = share(im, {0.68, 0.35, 0.98, 0.85}, kBlue);
  EXPECT_GT(orange, 0.10) << "orange " << orange;
  EXPECT_GT(blue, 0.02) << "blue " << blue;
  const Box map = decision_map(im, 60);
  const double mw = map.x1 - map.x0, mh = (map.y1 - map.y0) * im.h / im.w;
  ASSERT_GT(mw, 0.1) << "no decision map found";
  EXPECT_NEAR(mw, mh, 0.02) << "the map is square";
  const auto in_map = [&](double u0, double v0, double u1, double v1, Colour c) {
    const double w = map.x1 - map.x0, h = map.y1 - map.y0;
    return share(im, {map.x0 + u0 * w, map.y0 + v0 * h, map.x0 + u1 * w, map.y0 + v1 * h}, c);
  };
  const double centre = in_map(0.4, 0.4, 0.6, 0.6, kBlue);
  const double top_left = in_map(0.02, 0.02, 0.12, 0.12, kOrange);
  const double bottom_right = in_map(0.88, 0.88, 0.98, 0.98, kOrange);
  EXPECT_GT(centre, 0.5) << "blue in the middle " << centre;
  EXPECT_GT(top_left, 0.9) << "orange top left " << top_left;
  EXPECT_GT(bottom_right, 0.9) << "orange bottom right " << bottom_right;
  // The network graph in the middle carries neuron maps of both colours too.
  EXPECT_GT(share(im, {0.2, 0.3, 0.65, 0.95}, kBlue), 0.01);
}

// Under a software OpenGL the app redraws and presents only what changed.
// Frame after frame of changed rectangles must leave exactly the picture
// that drawing the last frame whole gives; the app checks that itself on
// its last frame when asked for --stats.
TEST_P(Screens, PartialRedrawLeavesTheSamePictureAsAWholeFrame) {
  for (const std::string& run :
       {std::string("--playground --autoplay --speed max --frames 150"),
        "--lesson " + lesson("basics/04-spiral-features.toml") + " --autoplay --frames 150 --theme dark"}) {
    Image im;
    const fs::path stats = dir / "stats.json";
    ASSERT_EQ(shoot(run + " --stats " + stats.string(), im, "partial"), 0) << run;
    const auto j = nlohmann::json::parse(std::ifstream(stats));
    EXPECT_TRUE(j["partial_redraw"].get<bool>()) << "llvmpipe under Xvfb offers GLX_MESA_copy_sub_buffer";
    EXPECT_EQ(j["redraw_mismatch_px"].get<long>(), 0) << run;
    EXPECT_NE(j["state"], "idle") << "the run changed the views frame after frame";
  }
  // And a still screen drawn the usual way and with partial redraw off is
  // the same picture, pixel for pixel.
  Image partial, whole;
  ASSERT_EQ(shoot("--frames 20", partial, "still"), 0);
  ASSERT_EQ(shoot("--frames 20", whole, "still_whole", "AISB_PARTIAL_REDRAW=0"), 0);
  ASSERT_EQ(partial.px.size(), whole.px.size());
  EXPECT_TRUE(partial.px == whole.px);
}

TEST_P(Screens, XorLessonReachesItsGoalAndSavesProgress) {
  Image im;
  ASSERT_EQ(shoot("--lesson " + lesson("basics/02-xor-hidden-layer.toml") + " --autoplay --frames 300", im, "xor"), 0);
  // The goal card in the left panel has turned green.
  EXPECT_GT(share(im, 0.0, 0.5, 0.3, 0.95, 0, 140, 100, 30), 0.01);
  std::ifstream in(dir / "state" / "aisandbox" / "progress.json");
  ASSERT_TRUE(in) << "no progress file";
  const auto j = nlohmann::json::parse(in);
  const auto& p = j.at("lessons").at("xor-hidden-layer");
  EXPECT_EQ(p.at("reached"), nlohmann::json::array({0}));
}

// A 1024x768 classroom projector: the whole UI shrinks a little instead of
// squeezing the network to a sliver between fixed-width panels (it was 110
// pixels wide, its neurons specks).
TEST_P(Screens, ASmallProjectorKeepsThePanelsInProportion) {
  Image im;
  ASSERT_EQ(shoot("--lesson " + lesson("basics/02-xor-hidden-layer.toml") + " --autoplay --frames 300 --size 1024x768",
                  im, "xga"),
            0);
  ASSERT_EQ(im.w, 1024);
  // The neurons' maps fill the middle of the window with both colours.
  const double blue = share(im, {0.45, 0.3, 0.72, 0.95}, kBlue);
  const double orange = share(im, {0.45, 0.3, 0.72, 0.95}, kOrange);
  EXPECT_GT(blue, 0.015) << "blue " << blue;
  EXPECT_GT(orange, 0.015) << "orange " << orange;
  // The decision map keeps a fifth of the width.
  const Box map = decision_map(im, 40);
  EXPECT_GT(map.x1 - map.x0, 0.18);
}

TEST_P(Screens, ImageLessonShowsSamplesAndCurves) {
  Image im;
  ASSERT_EQ(shoot("--lesson " + lesson("images/03-steel-defects.toml") + " --theme dark --frames 60", im, "steel"), 0);
  EXPECT_GT(colours(im), 40u);
  // The dark theme: its background and panels cover most of the window.
  EXPECT_GT(share(im, 0.0, 0.0, 1.0, 1.0, 22, 25, 30, 8) + share(im, 0.0, 0.0, 1.0, 1.0, 33, 37, 44, 6), 0.5);
  // Grey steel samples in the data panel (neither background nor text).
  EXPECT_GT(share(im, 0.32, 0.2, 0.5, 0.6, 128, 128, 128, 60), 0.05);
}

// A student's own data (issue 13), given with --data as if dropped on the
// window: first the preview, then (--autoplay) the network trained on it.
// Korean names in the files, as a Korean class's files have them.
TEST_P(Screens, OwnTableIsPreviewedThenTrains) {
  const fs::path csv = dir / "공기.csv";
  {
    std::ofstream out(csv, std::ios::binary);
    out << "기온,습도,바람,지역,등급\n";
    for (int i = 0; i < 80; ++i) {
      const int t = (i * 7) % 35 - 5, h = 20 + (i * 13) % 75, w = (i * 3) % 9;
      const double score = t * 0.2 + h * 0.05 - w * 0.8;
      out << t << "," << (i == 5 ? std::string() : std::to_string(h)) << "," << w << ","
          << (i % 3 == 0   ? "서울"
              : i % 3 == 1 ? "부산"
                           : "대구")
          << ","
          << (score < 2   ? "좋음"
              : score < 5 ? "보통"
                          : "나쁨")
          << "\n";
    }
  }
  Image im;
  ASSERT_EQ(shoot("--data " + csv.string() + " --frames 40", im, "own_table"), 0);
  EXPECT_GT(colours(im), 40u);
  // The preview: the answer column (the last one) tinted with the accent
  // from its name down through the first rows...
  const Box answer = patch(im, {0.12, 0.2, 0.88, 0.8}, 215, 230, 241, 9, 80);
  EXPECT_GT(answer.x1 - answer.x0, 0.03) << "no answer column found";
  EXPECT_GT(answer.y1 - answer.y0, 0.2);
  // ... and "Use this data" ready, in the accent blue, at the window's foot.
  EXPECT_GT(share(im, 0.12, 0.85, 0.35, 0.97, 11, 105, 170, 20), 0.05);
  // Trained: the run finished or goes on, its curves drawn.
  const fs::path stats = dir / "stats.json";
  ASSERT_EQ(
      shoot("--data " + csv.string() + " --autoplay --frames 240 --stats " + stats.string(), im, "own_table_trained"),
      0);
  const auto j = nlohmann::json::parse(std::ifstream(stats));
  EXPECT_TRUE(j["state"] == "running" || j["state"] == "finished") << j.dump();
  EXPECT_GT(j["steps_per_second"].get<double>(), 0.0) << "no epoch ended: " << j.dump();
  EXPECT_GT(share(im, {0.62, 0.2, 0.99, 0.9}, Colour{11, 105, 170}, 30), 0.002) << "the accuracy curve";
}

TEST_P(Screens, OwnPhotosArePreviewedInColourThenTrain) {
  const fs::path folder = dir / "과일";
  const std::pair<const char*, Colour> classes[] = {{"사과", {220, 30, 30}}, {"블루베리", {30, 50, 220}}};
  for (const auto& [name, c] : classes) {
    fs::create_directories(folder / name);
    for (int k = 0; k < 6; ++k) {
      constexpr int W = 32;
      std::vector<unsigned char> px(W * W * 3);
      for (int y = 0; y < W; ++y)
        for (int x = 0; x < W; ++x) {
          const bool in = (x - 16) * (x - 16) + (y - 16) * (y - 16) < (8 + k) * (8 + k);
          unsigned char* o = &px[static_cast<size_t>((y * W + x) * 3)];
          o[0] = static_cast<unsigned char>(in ? c.r : 240);
          o[1] = static_cast<unsigned char>(in ? c.g : 240);
          o[2] = static_cast<unsigned char>(in ? c.b : 230);
        }
      std::string leaf = std::to_string(k);
      leaf += ".png";
      ASSERT_NE(stbi_write_png((folder / name / leaf).c_str(), W, W, 3, px.data(), W * 3), 0);
    }
  }
  Image im;
  ASSERT_EQ(shoot("--data " + folder.string() + " --frames 40", im, "own_photos"), 0);
  // The preview: each class's photos in their colours.
  EXPECT_GT(share(im, {0.12, 0.2, 0.88, 0.85}, Colour{220, 30, 30}), 0.01);
  EXPECT_GT(share(im, {0.12, 0.2, 0.88, 0.85}, Colour{30, 50, 220}), 0.01);
  const fs::path stats = dir / "stats.json";
  ASSERT_EQ(shoot("--data " + folder.string() + " --autoplay --frames 400 --stats " + stats.string(), im,
                  "own_photos_trained"),
            0);
  const auto j = nlohmann::json::parse(std::ifstream(stats));
  EXPECT_TRUE(j["state"] == "running" || j["state"] == "finished") << j.dump();
  EXPECT_GT(j["steps_per_second"].get<double>(), 0.0) << "no epoch ended: " << j.dump();
  // The samples panel (left) shows the photos in colour, not grey.
  EXPECT_GT(share(im, {0.01, 0.2, 0.28, 0.5}, Colour{220, 30, 30}), 0.005);
  EXPECT_GT(share(im, {0.01, 0.2, 0.28, 0.5}, Colour{30, 50, 220}), 0.005);
}

TEST_P(Screens, SequenceLesson) {
  Image im;
  ASSERT_EQ(shoot("--lesson " + lesson("industry/02-battery-lstm.toml") + " --frames 30", im, "battery"), 0);
  EXPECT_GT(colours(im), 40u);
  // Above the samples' plot, one pill per measurement, the plotted one filled
  // in the accent blue.
  EXPECT_GT(share(im, 0.32, 0.26, 0.5, 0.30, 11, 105, 170, 20), 0.02);
  // --autoplay of a lesson on libtorch holds training until libtorch has
  // loaded in the background, and then it must start on its own.
  const fs::path stats = dir / "stats.json";
  ASSERT_EQ(shoot("--lesson " + lesson("industry/02-battery-lstm.toml") + " --autoplay --frames 400 --stats " +
                      stats.string(),
                  im, "battery_autoplay"),
            0);
  const auto j = nlohmann::json::parse(std::ifstream(stats));
  EXPECT_TRUE(j["state"] == "running" || j["state"] == "finished") << j.dump();
  EXPECT_GT(j["steps_per_second"].get<double>(), 0.0) << "no epoch ended: " << j.dump();
}

TEST_P(Screens, AuthoringReloadsAnOutsideEditAndMarksItsProblems) {
  // A valid lesson opens in the authoring view; while it runs, "another
  // editor" saves a broken version; the view must reload it and mark the
  // broken lines (orange bars in the editor).
  const fs::path file = dir / ("edit_" + GetParam() + ".toml");
  fs::copy_file(lesson("basics/02-xor-hidden-layer.toml"), file, fs::copy_options::overwrite_existing);
  Image before;
  ASSERT_EQ(shoot("--edit " + file.string() + " --frames 20", before, "author_ok"), 0);
  const auto bars = [](const Image& im) { return share(im, 0.03, 0.1, 0.5, 0.9, 253, 236, 215, 6); };
  EXPECT_LT(bars(before), 0.001);
  std::thread editor([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    text.replace(text.find("learning_rate = 0.03"), 20, "learning_rate = -1.0");
    std::ofstream(file.string() + ".new") << text;
    fs::rename(file.string() + ".new", file);
  });
  Image after;
  const int code = shoot("--edit " + file.string() + " --frames 240", after, "author_reloaded");
  editor.join();
  ASSERT_EQ(code, 0);
  EXPECT_GT(bars(after), 0.002) << "the broken line is not marked";
}

#ifdef AISB_CENTER
// The compute center in the app: a real center on loopback, a student who
// logged in with the CLI, and a teacher with the class's token.
TEST_P(Screens, ALessonTrainsAtTheCenterAndTheTeacherSeesIt) {
  const fs::path data = dir / ("center_" + GetParam());
  fs::create_directories(data);
  std::ofstream(data / "center.toml") << "[stream]\npoll_ms = 20\n";
  const auto klass = aisb::test::CenterProcess::create_class(data, "포항고 2-3");
  aisb::test::CenterProcess center(data);
  center.start();
  const std::string student = "XDG_CONFIG_HOME=" + (dir / "student").string();
  const std::string login = student + " " + AISB_CLI + " login --center " + center.url() + " --class " +
                            klass["class_code"].get<std::string>() + " --name 민지 >/dev/null";
  ASSERT_EQ(std::system(login.c_str()), 0);
  // The student trains the XOR lesson with the device set to the center.
  Image im;
  ASSERT_EQ(shoot("--lesson " + lesson("basics/02-xor-hidden-layer.toml") + " --device center --autoplay --frames 300",
                  im, "center_xor", student),
            0);
  EXPECT_GT(share(im, 0.0, 0.5, 0.3, 0.95, 0, 140, 100, 30), 0.01) << "the goal was not reached";
  // ... and it ran there: the center holds the student's finished job.
  aisb::net::ClientResponse r =
      aisb::net::request("GET", center.url() + "/api/v1/jobs", "",
                         {{"Authorization", "Bearer " + klass["teacher_token"].get<std::string>()}});
  const auto jobs = nlohmann::json::parse(r.body)["jobs"];
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["owner_name"], "민지");
  EXPECT_EQ(jobs[0]["lesson"], "xor-hidden-layer");
  EXPECT_EQ(jobs[0]["state"], "done");
  // The teacher's class view: a card with the student's curves.
  const fs::path teacher = dir / "teacher" / "aisandbox";
  fs::create_directories(teacher);
  std::ofstream(teacher / "center.toml") << "url = \"" << center.url() << "\"\ntoken = \""
                                         << klass["teacher_token"].get<std::string>()
                                         << "\"\nrole = \"teacher\"\nname = \"포항고 2-3\"\n";
  Image cls;
  ASSERT_EQ(shoot("--open class --frames 60", cls, "center_class", "XDG_CONFIG_HOME=" + (dir / "teacher").string()), 0);
  // The card (white) with the curve (dark) in its lower part.
  EXPECT_GT(share(cls, 0.01, 0.16, 0.24, 0.43, 255, 255, 255, 6), 0.6);
  EXPECT_GT(share(cls, 0.03, 0.27, 0.23, 0.41, 30, 33, 40, 60), 0.003) << "no curve in the card";
  // With the center gone, the view says it cannot reach it (in the warning colour).
  center.kill(SIGKILL);
  Image gone;
  ASSERT_EQ(shoot("--open class --frames 120", gone, "center_gone", "XDG_CONFIG_HOME=" + (dir / "teacher").string()),
            0);
  EXPECT_GT(share(gone, 0.0, 0.08, 0.6, 0.16, 200, 80, 0, 40), 0.002) << "no message about the unreachable center";
}

// A run that diverged (issue 12): the teacher's class view and the student's
// center panel showed it as a green "done". Now it has its own word and
// colour, and the words its `done` event has for the student; its curve
// ticks at whole epochs; its lesson, the teacher's own, goes by its title.
TEST_P(Screens, ADivergedRunShowsAsDivergedInTheClassViewAndTheStudentsPanel) {
  const fs::path data = dir / ("center_div_" + GetParam());
  fs::create_directories(data);
  std::ofstream(data / "center.toml") << "[stream]\npoll_ms = 20\n";
  const auto klass = aisb::test::CenterProcess::create_class(data, "포항고 2-3");
  aisb::test::CenterProcess center(data);
  center.start();
  // The teacher's own lesson: a learning rate that makes the loss blow up.
  const fs::path lessons = dir / "my-lessons";
  fs::create_directories(lessons);
  std::ofstream(lessons / "my-battery.toml") << R"(format = 1
id = "my-battery"
title.ko = "나의 배터리 수업"
title.en = "My battery lesson"

[dataset]
source = "plane"
samples = 200

[model]
task = "regression"
layers = [{ type = "dense", units = 8, activation = "linear" }]

[training]
learning_rate = 10
epochs = 50

[[steps]]
text.ko = "학습률이 너무 크면?"
text.en = "A learning rate too large?"
)";
  const std::string student = "XDG_CONFIG_HOME=" + (dir / "student").string();
  const std::string login = student + " " + AISB_CLI + " login --center " + center.url() + " --class " +
                            klass["class_code"].get<std::string>() + " --name 민지 >/dev/null";
  ASSERT_EQ(std::system(login.c_str()), 0);
  const std::string submit =
      student + " " + AISB_CLI + " submit " + (lessons / "my-battery.toml").string() + " --json >/dev/null";
  std::system(submit.c_str());  // follows the run to its `done` event
  nlohmann::json jobs;
  for (int i = 0; i < 100; ++i) {  // the center marks the job a moment later
    aisb::net::ClientResponse r =
        aisb::net::request("GET", center.url() + "/api/v1/jobs", "",
                           {{"Authorization", "Bearer " + klass["teacher_token"].get<std::string>()}});
    jobs = nlohmann::json::parse(r.body)["jobs"];
    if (jobs.size() == 1 && jobs[0]["state"] != "queued" && jobs[0]["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs[0]["state"], "done");
  ASSERT_EQ(jobs[0]["reason"], "diverged");

  // The diverged colour of the light theme, and the green of "done".
  const auto diverged = [](const Image& im, const Box& b) {
    return share(im, b.x0, b.y0, b.x1, b.y1, 168, 38, 118, 30);
  };
  const auto green = [](const Image& im, const Box& b) { return share(im, b.x0, b.y0, b.x1, b.y1, 0, 140, 100, 30); };
  const fs::path teacher = dir / "teacher" / "aisandbox";
  fs::create_directories(teacher);
  std::ofstream(teacher / "center.toml") << "url = \"" << center.url() << "\"\ntoken = \""
                                         << klass["teacher_token"].get<std::string>()
                                         << "\"\nrole = \"teacher\"\nname = \"포항고 2-3\"\n";
  Image cls;
  ASSERT_EQ(shoot("--lessons " + lessons.string() + " --open class --frames 60", cls, "center_diverged",
                  "XDG_CONFIG_HOME=" + (dir / "teacher").string()),
            0);
  const Box card{0.01, 0.16, 0.24, 0.5};
  EXPECT_GT(diverged(cls, card), 0.003) << "the card does not say 'diverged' and why in its colour";
  EXPECT_LT(green(cls, card), 0.0005) << "the card shows the green of a finished run";

  Image panel;
  ASSERT_EQ(shoot("--open center --frames 90", panel, "center_diverged_panel", student), 0);
  const Box middle{0.2, 0.15, 0.8, 0.85};
  EXPECT_GT(diverged(panel, middle), 0.001) << "the student's panel does not show the run as diverged";
  EXPECT_LT(green(panel, {0.55, 0.3, 0.8, 0.6}), 0.0005);
}

// The classroom (issue 12): the student's browser shows the lessons the
// teacher published as the "Class" course (fetched into the cache, so it
// works offline); opening one sends the student's progress to the center;
// the teacher's class view shows, beside the runs, where each student is.
TEST_P(Screens, TheClassCourseAndTheTeachersProgressView) {
  const fs::path data = dir / ("center_class_" + GetParam());
  fs::create_directories(data);
  const auto klass = aisb::test::CenterProcess::create_class(data, "포항고 2-3");
  aisb::test::CenterProcess center(data);
  center.start();
  const std::string teacher = "XDG_CONFIG_HOME=" + (dir / "teacher").string();
  const std::string cli = std::string(" ") + AISB_CLI + " ";
  ASSERT_EQ(std::system((teacher + cli + "login --center " + center.url() + " --teacher " +
                         klass["teacher_token"].get<std::string>() + " >/dev/null")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((teacher + cli + "class publish " + lesson("basics/02-xor-hidden-layer.toml") + " " +
                         lesson("basics/05-learning-rate.toml") + " >/dev/null")
                            .c_str()),
            0);
  const std::string student =
      "XDG_CONFIG_HOME=" + (dir / "student").string() + " XDG_CACHE_HOME=" + (dir / "cache").string();
  ASSERT_EQ(std::system((student + cli + "login --center " + center.url() + " --class " +
                         klass["class_code"].get<std::string>() + " --name 민지 >/dev/null")
                            .c_str()),
            0);

  // The browser: the Class course on top, its cards banded in reddish purple.
  Image im;
  ASSERT_EQ(shoot("--frames 60", im, "class_course", student), 0);
  const fs::path cached = dir / "cache" / "aisandbox" / "class" / klass["class"].get<std::string>();
  ASSERT_TRUE(fs::exists(cached / "xor-hidden-layer.toml")) << "the class's lessons were not cached";
  EXPECT_TRUE(fs::exists(cached / "learning-rate.toml"));
  EXPECT_GT(share(im, 0.0, 0.2, 0.6, 0.3, 204, 121, 167, 30), 0.002) << "no Class course in the browser";

  // Offline, the course is still there (from the cache).
  center.kill(SIGKILL);
  Image offline;
  ASSERT_EQ(shoot("--frames 60", offline, "class_course_offline", student), 0);
  EXPECT_GT(share(offline, 0.0, 0.2, 0.6, 0.3, 204, 121, 167, 30), 0.002) << "the cached Class course is gone offline";
  center.start(center.port());

  // Opening a class lesson sends where the student is.
  ASSERT_EQ(
      shoot("--lesson " + (cached / "xor-hidden-layer.toml").string() + " --frames 20", im, "class_lesson", student),
      0);
  nlohmann::json progress;
  for (int i = 0; i < 50; ++i) {
    const aisb::net::ClientResponse r =
        aisb::net::request("GET", center.url() + "/api/v1/classes/" + klass["class"].get<std::string>() + "/progress",
                           "", {{"Authorization", "Bearer " + klass["teacher_token"].get<std::string>()}});
    progress = nlohmann::json::parse(r.body);
    if (!progress["students"].empty() && progress["students"][0]["lessons"].contains("xor-hidden-layer")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(progress["students"].size(), 1u) << progress.dump();
  const nlohmann::json at = progress["students"][0]["lessons"]["xor-hidden-layer"];
  ASSERT_TRUE(at.is_object()) << "the app did not send the student's progress: " << progress.dump();
  EXPECT_EQ(at["step"], 0);
  EXPECT_EQ(at["steps"], 2);

  // The teacher's class view: the progress panel on the right, with the
  // student's step bar in the accent blue below the panel's tabs (at the
  // top: the tabs themselves are above 0.11).
  Image cls;
  ASSERT_EQ(shoot("--open class --frames 60", cls, "class_progress", teacher), 0);
  EXPECT_GT(share(cls, 0.64, 0.11, 0.99, 0.3, 11, 105, 170, 30), 0.0003) << "no student's step in the progress panel";
  EXPECT_GT(share(cls, 0.64, 0.11, 0.99, 0.3, 30, 33, 40, 60), 0.003) << "no names in the progress panel";
}
#endif

// Inside the network (issue 15): a lesson step opens the view it names and
// shows the sample it names, and the pictures are there while it trains.
// Pixels of the feature maps' blue ramp (dark to bright blue, never grey).
double map_blue(const Image& im, const Box& in) {
  int64_t n = 0, all = 0;
  for (int y = static_cast<int>(in.y0 * im.h); y < static_cast<int>(in.y1 * im.h); ++y)
    for (int x = static_cast<int>(in.x0 * im.w); x < static_cast<int>(in.x1 * im.w); ++x) {
      const unsigned char* p = im.at(x, y);
      ++all;
      n += p[2] > 90 && p[2] - p[0] > 70 && p[1] < p[2] ? 1 : 0;
    }
  return all > 0 ? static_cast<double>(n) / static_cast<double>(all) : 0.0;
}

// Pixels between grey and the saliency's orange (red over green over blue).
double warm(const Image& im, const Box& in) {
  int64_t n = 0, all = 0;
  for (int y = static_cast<int>(in.y0 * im.h); y < static_cast<int>(in.y1 * im.h); ++y)
    for (int x = static_cast<int>(in.x0 * im.w); x < static_cast<int>(in.x1 * im.w); ++x) {
      const unsigned char* p = im.at(x, y);
      ++all;
      n += p[0] - p[2] > 60 && p[0] > p[1] && p[1] > p[2] && p[0] < 250 ? 1 : 0;
    }
  return all > 0 ? static_cast<double>(n) / static_cast<double>(all) : 0.0;
}

// Both image lessons: step 1 names no view (the layers); `saliency_step`
// looks at the first test picture of class `klass` while it trains; the
// step after it opens the gallery of mistakes.
void inside_of_an_image_lesson(Screens& t, const std::string& file, int saliency_step, int klass) {
  const Box model_panel{0.51, 0.2, 0.73, 0.98};
  Image layers, inside, mistakes;
  const fs::path stats = t.dir / "stats.json";
  ASSERT_EQ(t.shoot("--lesson " + file + " --step 1 --frames 60", layers, "layers"), 0);
  ASSERT_EQ(t.shoot("--lesson " + file + " --step " + std::to_string(saliency_step) +
                        " --autoplay --speed max --frames 600 --stats " + stats.string(),
                    inside, "inside"),
            0);
  const auto j = nlohmann::json::parse(std::ifstream(stats));
  const auto& in = j.at("inside");
  EXPECT_EQ(in.at("model_tab"), "inside") << j.dump();
  EXPECT_EQ(in.at("chosen_class"), klass) << j.dump();  // the class the step names, probed by the run
  EXPECT_EQ(in.at("probed"), in.at("chosen"));
  EXPECT_GE(in.at("maps").get<int>(), 2);  // a convolution and a pooling at least
  EXPECT_TRUE(in.at("saliency").get<bool>());
  EXPECT_GE(in.at("predictions_epoch").get<int>(), 1);
  // The pictures: feature maps in their blue ramp and the saliency's orange,
  // which the layer list has (almost) none of.
  EXPECT_GT(map_blue(inside, model_panel), 0.015);
  EXPECT_GT(map_blue(inside, model_panel), 2.5 * map_blue(layers, model_panel));
  EXPECT_GT(warm(inside, model_panel), 0.006);
  EXPECT_GT(warm(inside, model_panel), 2.0 * warm(layers, model_panel));
  // The next step: the gallery of its mistakes in the data panel, with the pictures.
  ASSERT_EQ(t.shoot("--lesson " + file + " --step " + std::to_string(saliency_step + 1) +
                        " --autoplay --speed max --frames 400 --stats " + stats.string(),
                    mistakes, "mistakes"),
            0);
  const auto m = nlohmann::json::parse(std::ifstream(stats)).at("inside");
  EXPECT_EQ(m.at("data_tab"), "mistakes");
  EXPECT_GT(m.at("mistakes").get<int>(), 0);
  EXPECT_GT(colours(mistakes), 40u);
}

TEST_P(Screens, TheSteelLessonShowsWhatTheNetworkLearnedWhileItTrains) {
  inside_of_an_image_lesson(*this, lesson("images/03-steel-defects.toml"), 4, 1);  // inclusion
}

TEST_P(Screens, TheDigitsLessonShowsWhatTheNetworkLearnedWhileItTrains) {
  inside_of_an_image_lesson(*this, lesson("images/02-digits-cnn.toml"), 4, 7);  // a 7
}

TEST_P(Screens, TheBatteryLessonShowsItsPredictionsAgainstTheTruth) {
  Image im;
  const fs::path stats = dir / "stats.json";
  ASSERT_EQ(shoot("--lesson " + lesson("industry/02-battery-lstm.toml") +
                      " --step 1 --autoplay --speed max --frames 500 --stats " + stats.string(),
                  im, "battery_predictions"),
            0);
  const auto in = nlohmann::json::parse(std::ifstream(stats)).at("inside");
  EXPECT_EQ(in.at("model_tab"), "inside");
  EXPECT_GT(in.at("predictions").get<int>(), 100);
  // The scatter's blue points and the residuals' orange line in the model panel.
  EXPECT_GT(share(im, {0.51, 0.45, 0.73, 0.85}, kBlue, 70), 0.01);
  EXPECT_GT(share(im, {0.51, 0.8, 0.73, 0.98}, kOrange, 50), 0.003);
}

// A teacher's lesson with no [[steps]] is valid: it opens as its network
// alone and trains (it crashed the player, which read the first step).
TEST_P(Screens, ALessonWithoutStepsOpensAndTrains) {
  const fs::path file = dir / "no-steps.toml";
  std::ofstream(file) << "format = 1\nid = \"no-steps\"\ntitle.en = \"Just a network\"\ntitle.ko = \"신경망만\"\n"
                         "[dataset]\nsource = \"xor\"\nsamples = 200\n"
                         "[model]\ntask = \"classification\"\ninputs = [\"x1\", \"x2\"]\n"
                         "layers = [{ type = \"dense\", units = 4, activation = \"tanh\" }]\n"
                         "[training]\noptimizer = \"sgd\"\nlearning_rate = 0.03\nbatch_size = 10\nepochs = 50\n";
  Image im;
  const fs::path stats = dir / "stats.json";
  ASSERT_EQ(shoot("--lesson " + file.string() + " --autoplay --speed max --frames 120 --stats " + stats.string(), im,
                  "no_steps"),
            0);
  const auto j = nlohmann::json::parse(std::ifstream(stats));
  EXPECT_TRUE(j["state"] == "running" || j["state"] == "finished") << j.dump();
  EXPECT_GT(colours(im), 40u);
  EXPECT_GT(share(im, {0.0, 0.0, 1.0, 1.0}, kOrange), 0.002);  // its network and decision map, drawn
}

INSTANTIATE_TEST_SUITE_P(App, Screens, ::testing::Values("ko", "en"));

TEST(App, NoDisplayMeansAClearMessageAndExitCode3) {
  const std::string cmd = std::string("env -u DISPLAY -u WAYLAND_DISPLAY ") + AISB_APP + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(App, BadArgumentsAreUsageErrors) {
  for (const char* args : {"--size 10x10", "--lang fr", "--lesson /nonexistent.toml", "--frames 0"}) {
    const std::string cmd = std::string(AISB_APP) + " " + args + " >/dev/null 2>&1";
    const int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << args;
    EXPECT_EQ(WEXITSTATUS(status), 2) << args;
  }
  const int status = std::system((std::string(AISB_APP) + " --version >/dev/null 2>&1").c_str());
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
