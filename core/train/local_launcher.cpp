#include "core/train/local_launcher.hpp"

#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <stdexcept>

extern char** environ;

namespace harmonia::train {

namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return 29500;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!extra_env.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
  std::vector<std::string> args = argv;
  args[0] = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<char*> argp, envp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argp[0], nullptr, nullptr, argp.data(), envp.data()) != 0)
    throw std::runtime_error("cannot start a rank process");
  return pid;
}

}  // namespace

int launch_local_ranks(const std::vector<std::string>& argv, int nproc) {
  const std::string port = std::to_string(free_port());
  std::map<pid_t, int> ranks;
  for (int rank = 0; rank < nproc; ++rank)
    ranks[spawn(argv, {{"WORLD_SIZE", std::to_string(nproc)},
                       {"RANK", std::to_string(rank)},
                       {"LOCAL_RANK", std::to_string(rank)},
                       {"LOCAL_WORLD_SIZE", std::to_string(nproc)},
                       {"MASTER_ADDR", "127.0.0.1"},
                       {"MASTER_PORT", port}})] = rank;
  int result = 0;
  while (!ranks.empty()) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    const auto it = ranks.find(pid);
    if (it == ranks.end()) continue;
    const int rank = it->second;
    ranks.erase(it);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0 && result == 0) {
      result = code;
      if (WIFSIGNALED(status))
        std::fprintf(stderr, "\nrank %d was killed by signal %d (%s); stopping the other ranks\n", rank,
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
      else
        std::fprintf(stderr, "\nrank %d stopped with exit code %d; stopping the other ranks\n", rank, code);
      // The others would wait for the missing rank until the store times out.
      for (const auto& [other, rank] : ranks) ::kill(other, SIGTERM);
    }
  }
  return result;
}

}  // namespace harmonia::train
