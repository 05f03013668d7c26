// A real one-node Slurm for the tests: munged, slurmctld and slurmd from
// Debian, configured in a folder of the test's own, on free loopback ports.
// SLURM_CONF points this process (and the center it starts) at it.
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "../support/sockets.hpp"

namespace aisb::test {

class SlurmCluster {
 public:
  explicit SlurmCluster(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~SlurmCluster() { stop(); }

  static bool installed(std::string* why) {
    for (const char* p : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch"}) {
      if (!std::filesystem::exists(p)) {
        *why =
            std::string(p) + " is missing: run installer/deps.sh (it installs munge, slurmctld, slurmd, slurm-client)";
        return false;
      }
    }
    return true;
  }

  // True once the node is idle; `why` says what went wrong otherwise.
  bool start(std::string* why) {
    namespace fs = std::filesystem;
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    fs::create_directories(dir_ / "spool");
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    {
      std::ofstream key(dir_ / "munge.key", std::ios::binary);
      std::ifstream random("/dev/urandom", std::ios::binary);
      char buf[1024];
      random.read(buf, sizeof buf);
      key.write(buf, sizeof buf);
    }
    fs::permissions(dir_ / "munge.key", fs::perms::owner_read | fs::perms::owner_write);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    node_ = host;
    if (const size_t dot = node_.find('.'); dot != std::string::npos) node_.resize(dot);
    const std::string d = dir_.string();
    const int ctld_port = free_port();
    int slurmd_port = free_port();
    while (slurmd_port == ctld_port) slurmd_port = free_port();
    std::ofstream(dir_ / "slurm.conf")
        << "ClusterName=aisbtest\nSlurmctldHost=" << node_ << "(127.0.0.1)\n"
        << "SlurmctldPort=" << ctld_port << "\nSlurmdPort=" << slurmd_port << "\n"
        << "AuthType=auth/munge\nAuthInfo=socket=" << d << "/munge.sock\nCredType=cred/munge\n"
        << "SlurmUser=" << user() << "\nSlurmdUser=" << user() << "\nStateSaveLocation=" << d
        << "/state\nSlurmdSpoolDir=" << d << "/spool\n"
        << "SlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd.pid\n"
        << "SlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d << "/slurmd.log\n"
        << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSwitchType=switch/none\nMpiDefault=none\n"
        << "ReturnToService=2\nSchedulerType=sched/builtin\nSelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
        << "JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\n"
        << "JobAcctGatherType=jobacct_gather/none\nMinJobAge=120\nKillWait=5\n"
        << "NodeName=" << node_ << " NodeAddr=127.0.0.1 CPUs=2 RealMemory=" << real_memory_mb() << " State=UNKNOWN\n"
        << "PartitionName=aisb Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
    // On a cgroup v2 host without systemd (a container), slurmd would ask
    // dbus for a scope; this cluster manages no cgroups of its own.
    std::ofstream(dir_ / "cgroup.conf") << "CgroupPlugin=autodetect\nIgnoreSystemd=yes\n";
    ::setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);
    const std::string munged = "/usr/sbin/munged --force --socket=" + d + "/munge.sock --key-file=" + d +
                               "/munge.key --pid-file=" + d + "/munged.pid --log-file=" + d +
                               "/munged.log --seed-file=" + d + "/munge.seed";
    if (std::system(munged.c_str()) != 0) return fail(why, "munged did not start (see " + d + "/munged.log)");
    const std::string conf = (dir_ / "slurm.conf").string();
    if (std::system(("/usr/sbin/slurmctld -f " + conf).c_str()) != 0) return fail(why, "slurmctld did not start");
    if (std::system(("/usr/sbin/slurmd -f " + conf + " -N " + node_).c_str()) != 0) {
      return fail(why, "slurmd did not start");
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      if (std::system("sinfo --noheader --format=%t 2>/dev/null | grep -q '^idle'") == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return fail(why, "the node never became idle (see " + d + "/slurmctld.log)");
  }

  void stop() {
    if (!node_.empty()) {  // no job of ours outlives the cluster
      [[maybe_unused]] const int rc = std::system("scancel --user=\"$(id -un)\" >/dev/null 2>&1");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    for (const char* pidfile : {"slurmd.pid", "slurmctld.pid", "munged.pid"}) {
      std::ifstream in(dir_ / pidfile);
      int pid = 0;
      if (in >> pid && pid > 1) {
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ::kill(pid, SIGKILL);
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  [[nodiscard]] const std::string& node() const { return node_; }

  // The memory the node declares (slurm.conf RealMemory): 2 GB, or less on
  // a smaller machine (a node that has less than it declares is drained).
  // A job may ask for up to this with --mem; past it, sbatch refuses.
  static long real_memory_mb() {
    const long mb = ::sysconf(_SC_PHYS_PAGES) / 1024 * ::sysconf(_SC_PAGE_SIZE) / 1024;
    return std::min(2048L, mb * 9 / 10);
  }

  static std::string user() {
    const passwd* p = ::getpwuid(::getuid());
    return p != nullptr ? p->pw_name : "root";
  }

 private:
  // The message, with the end of the daemons' logs (removed at stop).
  bool fail(std::string* why, const std::string& what) {
    *why = what;
    for (const char* log : {"slurmd.log", "slurmctld.log", "munged.log"}) {
      std::ifstream in(dir_ / log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.empty()) continue;
      if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
      *why += std::string("\n--- ") + log + ":\n" + text;
    }
    return false;
  }
  std::filesystem::path dir_;
  std::string node_;
};

}  // namespace aisb::test
