// The app: which screen is showing (lesson browser, lesson player, free
// playground), the training session behind the views, the student's
// progress, and the settings bar. Views live in view_*.cpp, one file each.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>
#include <nlohmann/json.hpp>

#include "backend/center_client.hpp"
#include "backend/remote_backend.hpp"
#include "desktop/platform.hpp"
#include "lesson/lesson.hpp"
#include "session/class_course.hpp"
#include "session/class_watch.hpp"
#include "session/file_watch.hpp"
#include "session/keep_model.hpp"
#include "session/latest_worker.hpp"
#include "session/library.hpp"
#include "session/own_data.hpp"
#include "session/permissions.hpp"
#include "session/progress.hpp"
#include "session/progress_sync.hpp"
#include "session/session.hpp"
#include "session/try_it.hpp"
#include "widgets/ink_canvas.hpp"
#include "widgets/raster.hpp"

namespace aisb::ui {

struct AppOptions {
  std::string lesson;           // a file to open, else the browser
  std::string edit;             // a lesson file to open in the authoring view
  std::string lessons;          // a folder of lessons and courses to offer instead of the shipped ones
  std::string lang;             // ko | en | "" (from the locale)
  std::string device = "auto";  // auto | cpu | cuda | center
  std::string open;  // "center", "class", "glossary", "data", "try", "models" or "keep": a panel to open at start
  bool autoplay = false;
  int step = 0;             // with a lesson: open it at this step (1 is the first); 0: where the student left it
  int speed = 1;            // 0 slow, 1 normal, 2 fast, 3 as fast as the computer can
  bool playground = false;  // open the free playground
  std::string data;         // own data (a CSV file or a photo folder) to open as if dropped on the window
  std::string model;        // a trained-model file (.aimodel) to open
  // Strokes to draw on the "Try it" canvas once it shows (tests, demos):
  // "x,y x,y ...; x,y ..." in the picture's pixels, strokes apart by ';'.
  std::string try_draw;
  bool dark = false;
  float zoom = 1.0f;
  std::filesystem::path progress_file;  // default: ProgressStore::default_file()
};

enum class Screen { browser, player, playground, author, classroom };

// What a request to the compute center came back with (run off the UI thread).
struct CenterReply {
  enum class Kind { login, list, watch, cancel, model } kind = Kind::list;
  bool ok = false;
  std::string message;       // in words, for the panel (set on the UI thread)
  std::exception_ptr error;  // what went wrong, if anything
  std::string url;
  remote::CenterLogin login;
  nlohmann::json data;  // the runs, or the job to watch
  // With the runs: the student-facing words of the ones that diverged, by
  // id (English, Korean), read from their `done` events.
  std::map<std::string, std::pair<std::string, std::string>> messages;
  // A finished run's trained model (Kind::model), read and checked off the
  // UI thread; its problems when it could not be read.
  std::shared_ptr<const TrainedModel> model;
  Diagnostics model_problems;
};

// A trained-model file read off the UI thread.
struct ModelLoad {
  std::filesystem::path file;
  std::shared_ptr<const TrainedModel> model;
  Diagnostics problems;
};

// What the "Try it" window shows now, for --stats (tests compare it with a
// Predictor of their own on the same input).
struct TryReport {
  bool open = false;          // the window is on screen
  bool answered = false;      // it shows an answer to the input below
  std::vector<float> input;   // the raw values the answer is for
  std::vector<float> canvas;  // the drawing canvas's pixels
  int klass = -1;             // classification: the class shown first
  std::string class_name;     // ... by its name as shown
  std::vector<float> probabilities;
  double value = 0;          // regression
  bool script_done = false;  // --try-draw has drawn all its strokes
};

class App {
 public:
  App(Platform& platform, const AppOptions& options);
  ~App();

  // Draws one frame of the whole window.
  void draw();
  // True while something moves by itself (training, an animation).
  [[nodiscard]] bool busy() const;
  [[nodiscard]] app::Session& session() { return session_; }
  // A problem to tell the user at start (a lesson that would not open).
  [[nodiscard]] const std::string& startup_error() const { return startup_error_; }
  // The "Try it" window's state (view_model.cpp).
  [[nodiscard]] TryReport try_report() const;
  // What the inside views show (tabs, the sample, what the run said of it),
  // for --stats and the screenshot tests.
  [[nodiscard]] nlohmann::json inside_report() const;

 private:
  // app.cpp
  void set_language(const std::string& lang);
  void rebuild_fonts();
  void open_lesson(const std::filesystem::path& file);
  // Shows `lesson` (a new one, or a new version of the open one): glyphs,
  // progress, the network (reset only when its job changed), a valid step.
  void show_lesson(const Lesson& lesson);
  void open_playground();
  void go_to_step(int step);
  void save_progress();
  void draw_top_bar();
  void change(const JobSpec& job);  // from a control: reset and apply
  void draw_save_dialog();
  bool save_as_lesson(const std::string& name);  // false (with save_message_) on failure
  // The glossary window: every term of the glossary with its definition.
  void draw_glossary();
  // view_about.cpp: version, libtorch, CUDA, licences (the browser's About button, --open about)
  void draw_about();

  // view_browser.cpp
  void draw_browser();
  // view_player.cpp
  void draw_player();
  void draw_step_panel(float width, float height);
  void check_goal();
  // view_author.cpp: the lesson's TOML beside the live lesson
  void open_author(const std::filesystem::path& file);
  void draw_author();
  void author_reparse();
  bool author_save();
  void check_outside_edits();
  // view_playground.cpp
  void draw_workspace(const app::Permissions& allow, float width, float height);
  void draw_controls_bar(const app::Permissions& allow, float width);
  void draw_data_panel(const app::Permissions& allow, float width, float height);
  void draw_network_panel(const app::Permissions& allow, float width, float height);
  void draw_output_panel(const app::Permissions& allow, float width, float height);
  void refresh_maps();
  // True once per frame: a view about to replace a big texture (the maps,
  // the links) asks first, and waits a frame when another did. Each such
  // change redraws a large part of the window, which under a software
  // OpenGL must not pile up in one frame.
  // The frame's one big change (see refresh_maps), taken in turns by what
  // waits to be shown.
  enum class BigChange { links, maps, output };
  bool take_big_change(BigChange who);
  void draw_learning_bars(float width);  // gradient size per layer
  static double speed_of(int index);     // epochs a second of a speed setting (0: unlimited)
  // view_center.cpp: the compute center's panel and a teacher's class view
  void center_tick();  // takes finished requests; refreshes the run list
  void center_request(CenterReply::Kind kind, std::function<CenterReply()> work);
  void draw_center_button(float& rx, float y, float h);
  void draw_center_dialog();
  void draw_classroom();
  void open_classroom();
  std::string center_status() const;                         // the run's place at the center, in words
  std::string lesson_title_of(const std::string& id) const;  // the id when no lesson here has it
  // view_own_data.cpp: "Use my own data" (issue 13). A CSV file or a photo
  // folder dropped on the window (or typed, or picked from a folder list) is
  // read on a worker; the window shows its preview and the choices (the
  // answer column, the columns looked at; the photos' size and colour); "Use
  // this data" gives the session a job on it, read from the file's folder.
  [[nodiscard]] bool own_data_allowed() const;  // the playground, or a step that unlocks own_data
  void take_drops();                            // once a frame: what was dropped on the window
  // Play: here, or at the compute center for a lesson this build cannot
  // train (it needs libtorch and there is none, as on Windows).
  void play();
  [[nodiscard]] bool trains_only_at_center() const;
  void open_own_data(const std::string& path, bool show);  // reads `path` (when given); `show`: the window
  void own_data_tick();                                    // a preview the worker finished
  [[nodiscard]] bool own_data_ready() const;               // the preview can be used as chosen
  void use_own_data();
  void own_data_button(const app::Permissions& allow, float width);  // "Use my own data…" / "Change data…"
  void draw_own_data();
  void draw_own_picker();
  void draw_own_table();
  void draw_own_photos();
  // view_model.cpp: take the model home (issue 14). A trained model opened
  // from a file (the browser's button, --model, a file dropped on the
  // window, the center's runs, a lesson's `trained`) shows as at the end of
  // its run; "Try it" asks it about a drawing, a photo, typed values or a
  // point (session/try_it.hpp); it trains on, is saved and exported.
  void open_model_file(const std::filesystem::path& file);  // read off the UI thread, then shown
  // Shows `model` (read from `file`, or fetched: `file` empty) in the
  // playground; its data is looked for beside `file` or its lesson.
  void show_model(std::shared_ptr<const TrainedModel> model, const std::filesystem::path& file,
                  const std::string& name);
  [[nodiscard]] std::filesystem::path data_folder_for(const TrainedModel& model,
                                                      const std::filesystem::path& file) const;
  void model_tick();  // once a frame: a model file read, an export done, the session's new model
  bool take_model_drop(const std::string& path);  // a dropped model file or a photo for Try it
  void set_try_photo(const std::string& path);
  void draw_open_model();
  void draw_try();
  void draw_try_input(app::TryKind kind, float width);
  void draw_try_answer();
  void draw_keep();
  void ask_try();                                           // the current input to the model, when it changed
  void take_try_sample();                                   // the next test sample as the input
  [[nodiscard]] std::vector<float> canvas_picture() const;  // what the canvas shows the network
  [[nodiscard]] bool try_input_ready() const;               // an input not yet asked about
  void try_button(float height);                            // the controls bar's "Try it"
  [[nodiscard]] std::string try_class_name(int klass) const;
  void script_tick();  // --try-draw: the next pointer move
  // view_training.cpp: lessons the 2-D views cannot draw (images, series)
  void draw_model_panel(const app::Permissions& allow, float width, float height);
  void draw_curves_panel(const app::Permissions& allow, float width, float height);
  void draw_samples_panel(const app::Permissions& allow, float width, float height);
  // The inside of the network (issue 15): tabs over the model panel (its
  // layers, or what it learned) and the samples panel (or its mistakes).
  bool draw_model_tabs(float width, float height);
  void draw_inside(float width);
  void draw_predictions(float width);
  void draw_mistakes(float width);
  void apply_step_view(const Step& step);
  void resolve_step_sample();

  Platform& platform_;
  AppOptions options_;
  Screen screen_ = Screen::browser;
  app::Session session_;
  app::Library library_;
  app::Library my_lessons_;   // saved by the student (user_lessons_dir)
  app::LessonTitles titles_;  // every lesson seen, for naming a run's lesson (lesson_title_of)
  std::filesystem::path lessons_dir_, assets_dir_, font_dir_;
  std::unique_ptr<app::ProgressStore> progress_;
  std::string startup_error_;

  // The open lesson.
  std::optional<Lesson> lesson_;
  std::filesystem::path lesson_file_;
  int step_ = 0;
  app::LessonProgress lesson_progress_;
  int quiz_choice_ = -1;
  bool show_hint_ = false;
  std::chrono::steady_clock::time_point achieved_at_{};  // the "achieved" moment
  bool goal_met_now_ = false;

  // Authoring.
  std::unique_ptr<app::FileWatch> watch_;
  std::string author_text_, author_saved_;
  LessonResult author_result_;
  int author_jump_line_ = 0;  // > 0: move the editor's cursor to this line
  int author_line_ = 1, author_col_ = 1;
  bool author_conflict_ = false;  // changed on disk while we have unsaved edits
  std::string author_message_;

  // Workspace views.
  bool show_test_ = false;
  bool discretize_ = false;
  bool log_loss_ = false;
  bool show_train_curve_ = true, show_test_curve_ = true;
  int speed_index_ = 1;
  int big_change_frame_ = -1;
  BigChange big_change_last_ = BigChange::links;
  // What one frame may redraw of a big picture that changed (the links, the
  // neurons' maps), in window pixels: the rest follows in the next frames.
  static constexpr float kStagePixels = 24 * 1024;
  float node_px_ = 64;  // a neuron's side in the network view, in pixels
  struct MapAtlas {
    Overlay tex;  // one block per map
    size_t count = 0;
    int cols = 1, rows = 1;
    // The texture coordinates of map i.
    [[nodiscard]] std::pair<ImVec2, ImVec2> uv(size_t i) const {
      const float c = static_cast<float>(i % static_cast<size_t>(cols)),
                  r = static_cast<float>(i / static_cast<size_t>(cols));
      return {ImVec2(c / static_cast<float>(cols), r / static_cast<float>(rows)),
              ImVec2((c + 1) / static_cast<float>(cols), (r + 1) / static_cast<float>(rows))};
    }
  };
  MapAtlas hidden_maps_;
  // The decision maps turned into pictures off the UI thread: every hidden
  // neuron's map side by side (one block per map) and the output's.
  struct MapsJob {
    GridMaps maps;
    std::vector<std::string> activations;  // per hidden layer
    float output_scale = 1;
    bool discrete = false;
  };
  struct MapPictures {
    int resolution = 0, cols = 1, rows = 1;
    size_t count = 0;
    raster::Overlay hidden;  // one block per map
    raster::Overlay output;  // in blocks, filtered when drawn
  };
  static std::optional<MapPictures> paint_maps(MapsJob& job);
  app::LatestWorker<MapsJob, MapPictures> maps_painter_{paint_maps, app::WorkerPriority::idle};
  std::optional<MapPictures> maps_ready_;  // taken from the painter, not all of it shown yet
  uint64_t maps_posted_ = ~0ull;           // the grid version (and discretize) last handed to the painter
  Overlay output_tex_;
  float output_px_ = 400;  // the output's side in the window, in pixels
  // The network's links, painted off the UI thread when the weights change
  // (the first time at once); a result for another layout is dropped.
  struct LinksJob {
    std::string layout;
    int width = 0, height = 0;
    std::vector<raster::Curve> curves;
  };
  app::LatestWorker<LinksJob, std::pair<std::string, raster::Overlay>> links_painter_{
      [](LinksJob& job) -> std::optional<std::pair<std::string, raster::Overlay>> {
        return std::pair(job.layout, raster::paint_curves(job.width, job.height, job.curves));
      },
      app::WorkerPriority::idle};
  Overlay links_tex_;
  std::string links_key_, links_layout_;
  Overlay points_tex_;  // the data points, drawn once per dataset (not per frame)
  std::string points_key_;
  std::map<std::string, Texture> feature_tex_, dataset_tex_;
  Texture samples_tex_;
  // The inside views: which tab each panel shows, the sample a lesson step
  // asked for (found once the data is there), and their pictures.
  int model_tab_ = 0;         // 0: the layers, 1: inside (images) or predictions
  int data_tab_ = 0;          // 0: samples, 1: mistakes
  std::string inside_focus_;  // the step's view to scroll to once ("filters", "maps", "saliency")
  std::optional<SampleRef> step_sample_;
  std::string inside_key_, mistakes_key_;
  uint64_t inside_weights_version_ = ~0ull;
  double filters_drawn_at_ = -1.0;
  Texture inside_image_tex_, saliency_tex_, mistakes_tex_;
  std::map<int, Texture> filter_tex_, map_tex_;
  std::vector<int64_t> mistakes_;
  std::string samples_key_;
  uint64_t data_glyphs_version_ = ~0ull;  // the data whose names' glyphs were added
  std::string sequence_source_;           // the data source sequence_measure_ belongs to
  int sequence_measure_ = 0;
  std::string save_message_;
  bool save_ok_ = false;
  bool show_glossary_ = false;
  bool show_about_ = false;
  char glossary_filter_[64] = "";
  char save_name_[96] = "";
  bool open_save_ = false;
  // The weight being edited (clicked in the network view).
  std::string edit_param_;
  size_t edit_index_ = 0;
  size_t edit_base_index_ = 0;  // two-class output: the class-0 weight it is relative to
  bool edit_relative_ = false;
  float edit_value_ = 0;
  bool open_edit_ = false;
  // The compute center.
  RemoteBackend* remote_ = nullptr;  // owned by session_
  std::optional<remote::CenterLogin> center_login_;
  bool open_center_ = false;
  bool center_shown_ = false;    // the panel was open in the last frame
  bool center_close_ = false;    // close the panel next frame (a run to watch, a model shown)
  bool center_teacher_ = false;  // the panel's "I am the teacher" form
  char center_url_[256] = "", center_code_[32] = "", center_name_[96] = "", center_token_[96] = "";
  std::future<CenterReply> center_future_;
  CenterReply::Kind center_pending_ = CenterReply::Kind::list;
  std::string center_message_;
  bool center_ok_ = false;
  nlohmann::json center_runs_ = nlohmann::json::array();
  // The words a run's `done` event has for the student (a diverged run's
  // "try a smaller learning rate"), by job id: English, Korean.
  std::map<std::string, std::pair<std::string, std::string>> center_run_messages_;
  std::chrono::steady_clock::time_point center_listed_{};
  std::unique_ptr<app::ClassWatch> class_watch_;
  // Own data.
  bool own_open_ = false, own_close_ = false;  // open / close the window next frame
  bool own_autouse_ = false;                   // --data with --autoplay: use it once read
  char own_path_[1024] = "";
  std::string own_refusal_;                   // why the path cannot be used, in words
  std::optional<app::DataPath> own_pending_;  // being read
  std::optional<app::DataPreview> own_preview_;
  app::DataChoice own_choice_;
  std::vector<Texture> own_thumbs_;                        // a strip of photos per class
  std::string own_listed_;                                 // the folder own_entries_ lists
  std::vector<std::pair<std::string, bool>> own_entries_;  // its CSV files and folders (true)
  bool own_listed_photos_ = false;                         // it holds two or more folders: maybe photos by class
  app::LatestWorker<app::DataPath, app::DataPreview> own_reader_{
      [](app::DataPath& path) { return std::optional<app::DataPreview>(app::preview_data(path)); },
      app::WorkerPriority::normal};  // the student waits for it
  // view_class.cpp: the classroom at the center (issue 12). The Class
  // course (the lessons the teacher published, cached), the student's
  // progress sent to the center, a first sign-in's personal code, and the
  // teacher's progress, roster and report beside the runs.
  void follow_class();   // after every change of center_login_
  void class_tick();     // once a frame: what the background brought
  void draw_new_code();  // in the center panel: the code to write down
  [[nodiscard]] std::string login_refused_words(const remote::Refused& e) const;
  [[nodiscard]] float class_side_width(float avail) const;  // 0: no side panel
  void draw_class_side(float width, float height);
  void draw_roster_pane();
  void draw_publish_pane();
  [[nodiscard]] const Lesson* any_lesson(const std::string& id) const;
  std::unique_ptr<app::ClassCourse> class_course_;
  app::ClassCourse::View class_view_;
  Screen class_last_screen_ = Screen::browser;
  std::unique_ptr<app::ProgressSync> progress_sync_;
  char center_personal_[32] = "";
  std::string center_typed_code_;  // the personal code of the last sign-in
  std::string center_new_code_;    // the center's new code for this name, shown once
  bool center_new_code_shown_ = false;
  int class_pane_ = -1;  // 0: progress, 1: roster, 2: lessons, -1: by the class (a class without names: roster)
  char roster_names_[4096] = "", roster_class_code_[32] = "";
  std::string roster_confirm_;  // the student whose code is about to be reset
  std::string class_message_;
  bool class_message_ok_ = false;
  uint64_t class_action_seen_ = 0;
  std::future<bool> cuda_future_;  // loads libtorch in the background once the screen is steady (draw())
  bool torch_started_ = false;
  bool torch_asked_ = false;       // the device menu was opened
  bool autoplay_pending_ = false;  // --autoplay, once libtorch may load
  long steady_frames_ = 0;         // frames in a row with the data in place
  std::optional<bool> cuda_;

  // Trained models (view_model.cpp).
  std::future<ModelLoad> model_future_;
  bool open_models_ = false;  // open the "Open a trained model" window next frame
  char model_path_[1024] = "";
  std::string model_error_;  // why the last file could not be opened, in words
  std::string model_listed_;
  std::vector<std::filesystem::path> model_list_;
  std::string model_name_;  // what the model on screen came from (a file's name, a center run)
  bool show_try_ = false;
  app::TryIt try_;
  canvas::InkCanvas canvas_;
  Texture canvas_tex_;
  uint64_t canvas_shown_ = ~0ull;  // the picture version in canvas_tex_
  uint64_t canvas_input_ = ~0ull;  // the canvas version try_input_version_ counted
  // Which way round the model's pictures are: light strokes on a dark
  // ground (the digits; a photo of ink on paper is turned over), dark on a
  // light ground (the canvas then paints dark ink), or neither.
  enum class Ground { dark, light, mid };
  Ground try_ground_ = Ground::dark;
  std::vector<float> try_picture_;  // a colour picture (photo kind)
  std::vector<float> try_values_;   // a table's raw values, a series sample
  uint64_t try_input_version_ = 0, try_asked_version_ = ~0ull;
  std::optional<float> try_truth_;  // the right answer, when the input is a sample of the data
  uint64_t truth_version_ = 0;      // ... for this input version
  int64_t try_sample_ = -1;
  std::optional<std::pair<double, double>> try_point_;
  std::string try_note_;  // about the input ("turned over: light on dark, like the training digits")
  std::vector<float> try_series_line_;
  ImVec2 canvas_at_{0, 0};
  float canvas_size_ = 0;  // on screen; 0 while the canvas is not drawn
  int canvas_frames_ = 0;  // frames in a row with the canvas on screen
  int more_epochs_ = 10;
  bool open_keep_ = false;
  char keep_name_[128] = "", keep_folder_[1024] = "";
  std::future<app::KeepResult> keep_future_;
  std::string keep_kind_, keep_message_;
  bool keep_ok_ = false;
  bool save_with_weights_ = true;  // "Save as lesson" takes the trained weights along
  // --try-draw: the strokes, and where the script stands.
  std::vector<std::vector<canvas::Point>> script_;
  size_t script_stroke_ = 0, script_point_ = 0;
  bool script_down_ = false, script_done_ = false;
};

}  // namespace aisb::ui
