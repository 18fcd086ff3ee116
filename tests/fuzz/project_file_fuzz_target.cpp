// The studio's .harmonia project file: Project::load must open it or return false with an
// error, never crash; what loads must save and load back to the same project. Only Qt Core's
// JSON is involved (Qt itself is not instrumented; project_file.cpp is).
#include <QDir>
#include <QFile>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "ui/project_file.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "project fuzz: %s\n", what);
    std::abort();
  }
}

QString scratch(const char* name) {
  return QDir::tempPath() + QStringLiteral("/harmonia-project-fuzz-%1-%2").arg(::getpid()).arg(QLatin1String(name));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using harmonia::ui::Project;
  const QString in = scratch("in.harmonia"), out = scratch("out.harmonia");
  {
    QFile f(in);
    check(f.open(QIODevice::WriteOnly | QIODevice::Truncate), "cannot write the scratch file");
    f.write(reinterpret_cast<const char*>(data), qint64(size));
  }
  Project p;
  QString error;
  if (!Project::load(in, &p, &error)) {
    check(!error.isEmpty(), "a refused project gave no error");
    return 0;
  }
  check(p.save(out, &error), "a loaded project cannot be saved");
  Project again;
  check(Project::load(out, &again, &error), "a saved project does not load back");
  check(again.toJson() == p.toJson(), "save and load changed the project");
  QFile::remove(in);
  QFile::remove(out);
  return 0;
}
