// Helpers shared by the Qt Test suites: wait on the event loop for a condition, and find a
// few real MIDI files (the default corpus, else the shared test data).
#pragma once

#include <QCoreApplication>
#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QStringList>
#include <string>

#include "core/data/default_corpus.hpp"
#include "ui/bridge/training_backend.hpp"

namespace harmonia::ui::test {

template <typename F>
bool waitUntil(F done, int timeoutMs = 30000) {
  QElapsedTimer t;
  t.start();
  while (!done()) {
    if (t.elapsed() > timeoutMs) return false;
    // Sleep in the event loop (up to 10 ms) rather than spin: processEvents() returns at once
    // when nothing is queued, and a spinning GUI thread starves the niced workers it waits for.
    QEventLoop loop;
    QTimer::singleShot(10, &loop, &QEventLoop::quit);
    loop.exec();
  }
  return true;
}

// Sets an environment variable for one test and puts the old value back: the suites run in
// one process, and the starter model's lookup reads HARMONIA_STARTER_MODEL.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const QByteArray& value)
      : name_(name), had_(qEnvironmentVariableIsSet(name)), old_(qgetenv(name)) {
    qputenv(name, value);
  }
  ~ScopedEnv() {
    if (had_)
      qputenv(name_, old_);
    else
      qunsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  bool had_;
  QByteArray old_;
};

// Up to `n` readable MIDI files; empty when the machine has none.
inline QStringList someMidiFiles(int n) {
  QStringList out;
  for (const auto& f : data::default_corpus_files()) {
    if (out.size() >= n) break;
    out << QString::fromStdString(f);
  }
  if (out.isEmpty()) {
    const QString shared = QStringLiteral(HARMONIA_SHARED_DIR "/data/midi/pop909");
    for (const auto& f : data::list_midi_files(shared.toStdString())) {
      if (out.size() >= n) break;
      out << QString::fromStdString(f);
    }
  }
  return out;
}

// A training run of `steps` steps small enough for a test: the tiny preset, batch 2, context 64.
inline TrainingSpec fewTrainingSteps(int steps) {
  TrainingSpec s;
  s.preset = "tiny";
  s.max_steps = steps;
  s.batch_size = 2;
  s.seq_len = 64;
  s.warmup_steps = 1;
  s.eval_every = 2;
  return s;
}

}  // namespace harmonia::ui::test
