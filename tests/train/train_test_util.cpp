#include "train_test_util.hpp"

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/model/presets.hpp"
#include "test_paths.hpp"

extern char** environ;

namespace harmonia::train::test {

std::shared_ptr<model::CausalLM> micro_model(uint64_t seed, double dropout, int64_t vocab) {
  auto config = model::preset_config("tiny", "gpt2", vocab);
  config.hidden_size = 32;
  config.num_hidden_layers = 2;
  config.num_attention_heads = config.num_key_value_heads = 2;
  config.head_dim = 16;
  config.intermediate_size = 64;
  config.max_position_embeddings = 32;
  config.embedding_dropout = config.attention_dropout = config.residual_dropout = dropout;
  torch::manual_seed(seed);
  return model::create_model(config);
}

std::vector<std::vector<int64_t>> random_windows(int count, int length, uint64_t seed, int64_t vocab) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<int64_t>> windows(count, std::vector<int64_t>(length));
  for (auto& w : windows)
    for (auto& t : w) t = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(vocab - 1));
  return windows;
}

double max_weight_difference(const model::CausalLM& a, const model::CausalLM& b) {
  auto sa = a.hf_state_dict(), sb = b.hf_state_dict();
  if (sa.size() != sb.size()) throw std::runtime_error("models differ in shape");
  double worst = 0;
  for (const auto& [name, t] : sa) worst = std::max(worst, (t - sb.at(name)).abs().max().item<double>());
  return worst;
}

bool weights_identical(const model::CausalLM& a, const model::CausalLM& b) {
  auto sa = a.hf_state_dict(), sb = b.hf_state_dict();
  for (const auto& [name, t] : sa)
    if (!torch::equal(t, sb.at(name))) return false;
  return sa.size() == sb.size();
}

int spawn_self(const std::string& gtest_filter, const std::map<std::string, std::string>& env) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!env.count(entry.substr(0, entry.find('=')))) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=" + gtest_filter;
  char* argv[] = {exe.data(), filter.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()) != 0)
    throw std::runtime_error("posix_spawn failed");
  return pid;
}

int wait_exit_code(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int free_tcp_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

int run_cli(const std::string& args, const std::filesystem::path& err, int threads) {
  const std::string cmd = "'" + (harmonia::test::bin_dir() / "harmonia").string() + "' --threads " +
                          std::to_string(threads) + " " + args + " 2> '" + err.string() + "' > /dev/null";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

std::vector<double> train_losses(const std::filesystem::path& run) {
  std::ifstream in(run / "train_log.csv");
  std::string line;
  std::getline(in, line);  // header: step,epoch,train_loss,...
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string step, epoch, loss;
    std::getline(row, step, ',');
    std::getline(row, epoch, ',');
    std::getline(row, loss, ',');
    if (!loss.empty()) out.push_back(std::stod(loss));
  }
  return out;
}

}  // namespace harmonia::train::test
