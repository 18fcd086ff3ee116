#pragma once
// Issue 20: the studio on a full disk. The CLI's answers are checked by test_fault_disk; these
// are the same faults met through the studio's own buttons: Export .mid, Export .wav, Save
// project, and a training run whose checkpoint does not fit. Each must say why on its page (the
// system's reason, not a guess), keep the previous file byte for byte, and leave no half-written
// file behind.
//
// The suite needs a small disk of its own: ctest runs it as `ui.disk_faults` through
// run_on_small_disk.sh, which mounts a tmpfs in a private mount namespace and passes its path
// in HARMONIA_FAULT_DISK. Without it (a plain `test_ui disk_faults`) every test skips.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>
#include <sys/statvfs.h>

#include "core/midi/midi_file.hpp"
#include "core/tokenizer/tokenizer.hpp"
#include "ui/bridge/training_backend.hpp"
#include "ui/main_window.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/pages/training_page.hpp"
#include "ui_test_support.hpp"

class TestDiskFaults final : public QObject {
  Q_OBJECT

  QString disk_;  // the small tmpfs; emptied before each test

  static QByteArray md5(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Md5);
  }

  // Fills the disk with one file until `leaveKiB` KiB are left (0: full).
  void fill(qint64 leaveKiB) const {
    QFile filler(QDir(disk_).filePath(QStringLiteral("filler")));
    QVERIFY(filler.open(QIODevice::Append));
    const QByteArray chunk(64 * 1024, '\0');
    for (;;) {
      struct statvfs st {};
      QCOMPARE(statvfs(disk_.toLocal8Bit().constData(), &st), 0);
      const qint64 freeKiB = qint64(st.f_bavail) * qint64(st.f_frsize) / 1024;
      if (freeKiB <= leaveKiB) break;
      const qint64 want = std::min<qint64>(chunk.size(), (freeKiB - leaveKiB) * 1024);
      if (filler.write(chunk.constData(), want) != want) break;  // full
      filler.flush();
    }
  }

  void emptyDisk() const {
    QDir d(disk_);
    for (const auto& e : d.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
      e.isDir() ? void(QDir(e.filePath()).removeRecursively()) : void(QFile::remove(e.filePath()));
  }

  // Names left in `dir` other than `expected` (a temporary a later run could trust).
  static QStringList leftovers(const QString& dir, const QStringList& expected) {
    QStringList out;
    for (const auto& name : QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
      if (!expected.contains(name)) out << name;
    return out;
  }

  // A short piece (two bars of quarter notes): its WAV fits the small disk many times over.
  static QString shortPiece(const QTemporaryDir& dir) {
    harmonia::midi::Score score;
    score.ticks_per_quarter = 480;
    harmonia::midi::Track track;
    track.program = 0;
    for (int i = 0; i < 8; ++i) track.notes.push_back({i * 480, 440, 60 + i, 90});
    score.tracks.push_back(track);
    const QString path = dir.filePath(QStringLiteral("short.mid"));
    harmonia::midi::write_midi_file(score, path.toStdString());
    return path;
  }

 private slots:
  void initTestCase() {
    disk_ = qEnvironmentVariable("HARMONIA_FAULT_DISK");
    if (disk_.isEmpty()) QSKIP("needs a small disk of its own: run through ctest (ui.disk_faults)");
    QStandardPaths::setTestModeEnabled(true);
  }
  void init() { emptyDisk(); }

  // Export .mid on a full disk. Before: "write failed (disk full?)" and a half-written
  // piece.mid.tmp left beside the good file.
  void midiExportOnAFullDiskKeepsThePreviousFile() {
    QTemporaryDir tmp;
    harmonia::ui::GeneratePage page;
    page.resize(1200, 700);
    page.show();
    QVERIFY(page.openPrompt(shortPiece(tmp)));
    const QString out = QDir(disk_).filePath(QStringLiteral("piece.mid"));
    page.exportMidiTo(out);
    QVERIFY2(page.bannerText().isEmpty(), qPrintable(page.bannerText()));
    const QByteArray before = md5(out);
    QVERIFY(!before.isEmpty());
    fill(0);
    page.exportMidiTo(out);
    const QString said = page.bannerText();
    qInfo().noquote() << "the page said:" << said;
    QVERIFY2(said.contains(out) && said.contains(QStringLiteral("No space left on device")), qPrintable(said));
    QCOMPARE(md5(out), before);
    QCOMPARE(leftovers(disk_, {"piece.mid", "filler"}), QStringList());
  }

  // Export .wav on a full disk: rendered on a worker, the reason in the banner, the earlier WAV
  // intact, no .tmp. Before: "write failed (disk full?)", a guess.
  void wavExportOnAFullDiskKeepsThePreviousFile() {
    QTemporaryDir tmp;
    harmonia::ui::GeneratePage page;
    page.resize(1200, 700);
    page.show();
    QVERIFY(page.openPrompt(shortPiece(tmp)));
    const QString out = QDir(disk_).filePath(QStringLiteral("piece.wav"));
    QSignalSpy done(&page, &harmonia::ui::GeneratePage::wavExported);
    page.exportWav(out);
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() == 1; }, 120000));
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(1).toString()));
    const QByteArray before = md5(out);
    QVERIFY(!before.isEmpty());
    fill(16);  // room for the header, not for the samples
    page.exportWav(out);
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() == 2; }, 120000));
    QVERIFY(!done.at(1).at(0).toBool());
    const QString said = page.bannerText();
    qInfo().noquote() << "the page said:" << said;
    QVERIFY2(said.contains(out) && said.contains(QStringLiteral("No space left on device")), qPrintable(said));
    QCOMPARE(md5(out), before);
    QCOMPARE(leftovers(disk_, {"piece.wav", "filler"}), QStringList());
  }

  // Save project on a full disk: the banner says why, the saved project is untouched, and the
  // window still knows it as its file. Before: Qt's QSaveFile committed the failed write and
  // the saved project became an empty file, with "Saved" in the status bar.
  void projectSaveOnAFullDiskKeepsTheSavedProject() {
    harmonia::ui::MainWindow window;
    window.resize(1280, 720);
    window.show();
    const QString path = QDir(disk_).filePath(QStringLiteral("lesson.harmonia"));
    QString error;
    QVERIFY2(window.saveProject(path, &error), qPrintable(error));
    const QByteArray before = md5(path);
    fill(0);
    QVERIFY(!window.saveProject(path, &error));
    QVERIFY2(error.contains(QStringLiteral("No space left on device")), qPrintable(error));
    qInfo().noquote() << "save said:" << error;
    bool shown = false;
    for (auto* l : window.findChildren<QLabel*>())
      if (l->isVisible() && l->text().contains(path) && l->text().contains(QStringLiteral("No space left")))
        shown = true;
    QVERIFY2(shown, "the failed save is not shown on the page");
    QCOMPARE(md5(path), before);
    QCOMPARE(leftovers(disk_, {"lesson.harmonia", "filler"}), QStringList());
    QVERIFY(window.windowTitle().contains(QStringLiteral("lesson.harmonia")));
  }

  // A run whose next checkpoint does not fit: the Training page says so, the earlier
  // checkpoint stays byte for byte and can be resumed once there is room again.
  void trainingOnAFullDiskKeepsTheEarlierCheckpoint() {
    if (!harmonia::ui::training_available()) QSKIP("training engine not in this build");
    const QStringList files = harmonia::ui::test::someMidiFiles(3);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    harmonia::ui::TrainingPage page;
    page.resize(1200, 700);
    page.show();
    page.setRunsRoot(disk_);
    const auto tok = harmonia::tokenizer::Tokenizer::create("REMI");
    page.setTokenizer(QString::fromStdString(tok->to_json().dump()), qint64(tok->vocab_size()));
    page.setDataset(files);
    auto spec = harmonia::ui::test::fewTrainingSteps(2);
    page.setHyperparameters(spec);
    QSignalSpy finished(&page, &harmonia::ui::TrainingPage::trainingFinished);
    page.start();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return finished.count() == 1; }, 200000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(page.bannerText()));
    const QDir checkpoints(QDir(page.runDir()).filePath(QStringLiteral("checkpoints")));
    const QStringList before = checkpoints.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY(!before.isEmpty());
    const QString step2 = checkpoints.filePath(QStringLiteral("step-00000002"));
    QVERIFY(QDir(step2).exists());
    const QByteArray weights = md5(step2 + QStringLiteral("/model/model.safetensors"));
    const QByteArray state = md5(step2 + QStringLiteral("/trainer_state.json"));

    fill(0);
    spec.max_steps = 4;
    page.setHyperparameters(spec);
    page.resumeFrom(page.runDir());
    QVERIFY(harmonia::ui::test::waitUntil([&] { return finished.count() == 2; }, 200000));
    QVERIFY(!finished.at(1).at(0).toBool());
    QCOMPARE(page.state(), harmonia::ui::StepState::Error);
    const QString said = page.bannerText();
    qInfo().noquote() << "the page said:" << said;
    QVERIFY2(said.contains(QStringLiteral("No space left on device")), qPrintable(said));
    QCOMPARE(md5(step2 + QStringLiteral("/model/model.safetensors")), weights);
    QCOMPARE(md5(step2 + QStringLiteral("/trainer_state.json")), state);
    for (const auto& name : checkpoints.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
      QVERIFY2(!name.startsWith(QStringLiteral(".tmp")), qPrintable(name));

    // Room again: the same run goes on from its step-2 checkpoint to the end.
    QVERIFY(QFile::remove(QDir(disk_).filePath(QStringLiteral("filler"))));
    page.resumeFrom(page.runDir());
    QVERIFY(harmonia::ui::test::waitUntil([&] { return finished.count() == 3; }, 200000));
    QVERIFY2(finished.at(2).at(0).toBool(), qPrintable(page.bannerText()));
    QVERIFY(QDir(checkpoints.filePath(QStringLiteral("step-00000004"))).exists());
  }
};
