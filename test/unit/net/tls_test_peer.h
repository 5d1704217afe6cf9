// Test helpers for talking to real TLS peers: the PKI made by make_test_certs.sh (generated once
// per test process into a temp dir) and Python helper processes (tls_http_server.py, and the
// http tests' CONNECT proxy) that print their port on the first stdout line.
// Waits poll with a deadline; helper processes die with the test (PR_SET_PDEATHSIG), even when a
// failed REQUIRE aborts it.
#pragma once

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/fd.h"

namespace imps::net::testing {

constexpr int kDeadlineMs = 10'000;  // generous: the machine is shared

// This directory (test/unit/net), where the helper scripts live.
inline std::string peer_dir() {
  const std::string file = __FILE__;
  return file.substr(0, file.rfind('/'));
}

inline std::string read_text(const std::string& path) {
  std::string out;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

// Removed at normal exit (an aborted test leaves it behind in /tmp).
struct TempDir {
  std::string path;
  ~TempDir() {
    if (!path.empty()) std::system(("rm -rf '" + path + "'").c_str());
  }
};

inline const std::string& pki_dir() {
  static const TempDir dir = [] {
    char tmpl[] = "/tmp/imps-tls-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string command = "sh " + peer_dir() + "/make_test_certs.sh " + tmpl;
    REQUIRE(std::system(command.c_str()) == 0);
    return TempDir{tmpl};
  }();
  return dir.path;
}

inline std::string pki(const std::string& name) { return read_text(pki_dir() + "/" + name); }

// Runs /usr/bin/python3 with `args` and reads the port it prints.
class PythonProcess {
 public:
  explicit PythonProcess(const std::vector<std::string>& args) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv{const_cast<char*>("python3")};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv("/usr/bin/python3", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    UniqueFd reader(out[0]);
    std::string line;
    while (line.find('\n') == std::string::npos) {
      pollfd p{reader.get(), POLLIN, 0};
      REQUIRE(::poll(&p, 1, kDeadlineMs) == 1);
      char buf[64];
      const ssize_t n = ::read(reader.get(), buf, sizeof buf);
      REQUIRE(n > 0);
      line.append(buf, size_t(n));
    }
    port_ = static_cast<uint16_t>(std::stoi(line));
  }
  ~PythonProcess() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  PythonProcess(const PythonProcess&) = delete;
  PythonProcess& operator=(const PythonProcess&) = delete;
  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Arguments for tls_http_server.py with files of the test PKI (generated before any fork, so the
// parent and the server see the same one).
inline std::vector<std::string> tls_server_args(const std::string& cert, const std::string& key,
                                                const std::string& client_ca = "") {
  const std::string& dir = pki_dir();
  std::vector<std::string> args{peer_dir() + "/tls_http_server.py", dir + "/" + cert, dir + "/" + key};
  if (!client_ca.empty()) args.push_back(dir + "/" + client_ca);
  return args;
}

}  // namespace imps::net::testing
