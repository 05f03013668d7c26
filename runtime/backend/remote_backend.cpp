#include "backend/remote_backend.hpp"

#include <chrono>
#include <cstdio>

#include "core/messages.hpp"

namespace aisb {

RemoteBackend::~RemoteBackend() {
  {
    std::lock_guard lock(mutex_);
    probe_stop_ = true;
  }
  probe_cv_.notify_all();
  if (probe_thread_.joinable()) probe_thread_.join();
  stop();
}

void RemoteBackend::probe(int64_t sample) {
  std::lock_guard lock(mutex_);
  probe_pending_ = sample;
  if (!probe_thread_.joinable()) {
    probe_thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (true) {
        probe_cv_.wait(lock, [&] { return probe_stop_ || probe_pending_.has_value(); });
        if (probe_stop_) return;
        const int64_t s = *probe_pending_;
        probe_pending_.reset();
        const std::string id = status_.job_id, url = url_, token = token_;
        const net::ClientOptions options = options_;
        lock.unlock();
        // Only the newest choice matters: one that fails (the run ended, the
        // center is away) is not tried again.
        try {
          if (!id.empty()) remote::CenterClient(url, token, options).probe(id, s);
        } catch (const std::exception&) {
        }
        lock.lock();
      }
    });
  }
  probe_cv_.notify_all();
}

void RemoteBackend::stop() {
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
  cancel_ = false;
}

void RemoteBackend::set_login(const std::string& url, const std::string& token, net::ClientOptions options) {
  std::lock_guard lock(mutex_);
  url_ = url;
  token_ = token;
  options_ = std::move(options);
}

void RemoteBackend::start(const JobSpec& job, const TrainOptions&, bool) {
  stop();
  events_.reset();
  {
    std::lock_guard lock(mutex_);
    status_ = RemoteStatus{};
    model_.reset();
    status_.state = "submitting";
  }
  thread_ = std::thread([this, job] { run(job, ""); });
}

bool RemoteBackend::attach(const std::string& job_id) {
  stop();
  events_.reset();
  {
    std::lock_guard lock(mutex_);
    status_ = RemoteStatus{};
    model_.reset();
    status_.job_id = job_id;
    status_.state = "queued";
  }
  thread_ = std::thread([this, job_id] { run(std::nullopt, job_id); });
  return true;
}

void RemoteBackend::push(Event e) {
  events_.push(std::move(e));
}  // nothing once cancelled (closed)

void RemoteBackend::fail(const std::string& message, const std::string& message_ko) {
  {
    std::lock_guard lock(mutex_);
    status_.state = "failed";
  }
  Event done;
  done.type = EventType::done;
  done.reason = "failed";
  done.message = message;
  done.message_ko = message_ko;
  push(std::move(done));
}

std::shared_ptr<const TrainedModel> RemoteBackend::trained_model() const {
  std::lock_guard lock(mutex_);
  return model_;
}

void RemoteBackend::run(std::optional<JobSpec> job, std::string id) {
  std::string url, token;
  net::ClientOptions options;
  {
    std::lock_guard lock(mutex_);
    url = url_;
    token = token_;
    options = options_;
  }
  const auto set = [&](auto&& f) {
    std::lock_guard lock(mutex_);
    f(status_);
  };
  try {
    if (url.empty() || token.empty()) {
      set([](RemoteStatus& s) { s.error = "not logged in to a center"; });
      fail("Log in to a compute center first (the Center button at the top).",
           "먼저 컴퓨팅 센터에 로그인하세요 (위쪽의 센터 버튼).");
      return;
    }
    remote::CenterClient client(url, token, options);
    if (job) {
      // The job's own data first, by its hash, when the center lacks it;
      // said in the run's log, since a large folder takes a while.
      client.upload_data(
          *job,
          [&](uint64_t bytes) {
            set([&](RemoteStatus& s) { s.upload_bytes = bytes; });
            char mb[32];
            const double m = static_cast<double>(bytes) / (1 << 20);
            std::snprintf(mb, sizeof mb, m >= 10 ? "%.0f" : "%.1f", m);
            Event note;
            note.type = EventType::log;
            note.level = "info";
            note.message = message_text("cli.center.uploading", "en", {mb});
            note.message_ko = message_text("cli.center.uploading", "ko", {mb});
            push(std::move(note));
          },
          [&](uint64_t sent, uint64_t) { set([&](RemoteStatus& s) { s.uploaded_bytes = sent; }); }, &cancel_);
      if (cancel_) {
        events_.end();
        return;
      }
      id = client.submit(*job);
      set([&](RemoteStatus& s) {
        s.job_id = id;
        s.state = "queued";
      });
    }
    // While it waits: where it stands in the queue. A center that restarts
    // meanwhile is waited for, as the event stream would.
    auto last_contact = std::chrono::steady_clock::now();
    while (!cancel_) {
      nlohmann::json st;
      try {
        st = client.job(id);
        last_contact = std::chrono::steady_clock::now();
      } catch (const net::Unreachable&) {
        if (std::chrono::steady_clock::now() - last_contact > std::chrono::seconds(60)) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      const std::string state = st.value("state", "");
      set([&](RemoteStatus& s) {
        s.state = state;
        s.queue_position = st.value("queue_position", 0);
        s.node = st.value("node", "");
      });
      if (state != "queued") break;
      for (int i = 0; i < 10 && !cancel_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (cancel_) {
      client.cancel(id);
      return;
    }
    bool ended = false, weights_seen = false;
    client.follow(
        id, 0,
        [&](const nlohmann::json& j) {
          Diagnostics diags;
          Event e = event_from_json(j, diags);
          if (diags.has_errors()) return true;
          if (e.type == EventType::started) {
            set([](RemoteStatus& s) { s.state = "running"; });
          }
          if (e.type == EventType::snapshot && !e.weights.empty()) weights_seen = true;
          if (e.type == EventType::done && e.reason == "completed" && !weights_seen) {
            // The trained network, whole, for the views after the run; a
            // run without it still ends.
            try {
              Diagnostics problems;
              TrainedModel m = read_trained_model(client.model_file(id), problems);
              if (!problems.has_errors()) {
                auto model = std::make_shared<const TrainedModel>(std::move(m));
                std::lock_guard lock(mutex_);
                model_ = std::move(model);
              }
            } catch (const std::exception&) {
            }
          }
          if (e.type == EventType::done) {
            ended = true;
            set([&](RemoteStatus& s) {
              s.state = e.reason == "cancelled" ? "cancelled" : e.reason == "failed" ? "failed" : "done";
            });
          }
          push(std::move(e));
          return true;
        },
        &cancel_);
    if (!ended && cancel_) {
      client.cancel(id);
      set([](RemoteStatus& s) { s.state = "cancelled"; });
    }
  } catch (const net::Unreachable& e) {
    if (cancel_ && status().job_id.empty()) {  // cancelled while the data went up: nothing to say
      set([](RemoteStatus& s) { s.state = "cancelled"; });
      events_.end();
      return;
    }
    set([&](RemoteStatus& s) {
      s.error = e.what();
      s.unreachable = true;
    });
    fail(std::string("The compute center cannot be reached (") + e.what() +
             "). Check its address with the Center button at the top, and the network.",
         std::string("컴퓨팅 센터에 연결할 수 없어요 (") + e.what() +
             "). 위쪽의 센터 버튼에서 주소를, 그리고 네트워크를 확인하세요.");
  } catch (const remote::Refused& e) {
    set([&](RemoteStatus& s) { s.error = e.what(); });
    const std::string where = e.field.empty() ? "" : e.field + ": ";
    fail("The compute center refused: " + where + e.what(), "컴퓨팅 센터가 거절했어요: " + where + e.in("ko"));
  } catch (const remote::UploadError& e) {
    set([&](RemoteStatus& s) { s.error = e.what(); });
    fail(e.what(), e.in("ko"));
  } catch (const std::exception& e) {
    set([&](RemoteStatus& s) { s.error = e.what(); });
    fail(e.what(), e.what());
  }
  events_.end();
}

void RemoteBackend::cancel() {
  // Never waits for the network: the run's thread cancels the job at the
  // center and ends by itself; the next start() or the destructor joins it.
  cancel_ = true;
  events_.close();
}

size_t RemoteBackend::poll(std::vector<Event>& out) {
  return events_.poll(out);
}

bool RemoteBackend::wait(std::chrono::milliseconds timeout) {
  return events_.wait(timeout);
}

bool RemoteBackend::running() const {
  return events_.running();
}

RemoteStatus RemoteBackend::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace aisb
