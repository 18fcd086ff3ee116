#pragma once
// Playback › SoundFont: lists a font put in a soundfonts/ folder, remembers the choice across
// windows (QSettings), and Play and Export .wav use the chosen file.
#include <QAction>
#include <QMenu>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/bridge/playback_controller.hpp"
#include "ui/bridge/soundfont_choice.hpp"
#include "ui/main_window.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/widgets/soundfont_menu.hpp"
#include "ui_test_support.hpp"

using harmonia::ui::GeneratePage;
using harmonia::ui::MainWindow;
using harmonia::ui::SoundFontMenu;
using harmonia::ui::test::ScopedEnv;
using harmonia::ui::test::waitUntil;

class TestSoundFontChoice final : public QObject {
  Q_OBJECT

  static void writeFakeSoundFont(const QString& path) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("RIFF") + QByteArray(4, '\0') + QByteArray("sfbkLIST"));
  }

  static QAction* actionFor(QMenu* menu, const QString& path) {
    for (auto* a : menu->actions())
      if (a->data().toString() == path) return a;
    return nullptr;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }
  void cleanup() { harmonia::ui::setChosenSoundFont({}); }

  void fontInASoundfontsFolderIsListedAndTheChoiceIsRemembered() {
    QTemporaryDir dir;
    const QString font = dir.filePath(QStringLiteral("Classroom.sf2"));
    writeFakeSoundFont(font);
    ScopedEnv env("HARMONIA_SOUNDFONT_DIR", dir.path().toUtf8());
    QVERIFY(harmonia::ui::availableSoundFonts().contains(font));
    {
      MainWindow window;
      auto* menu = window.findChild<SoundFontMenu*>();
      QVERIFY2(menu, "no Playback › SoundFont menu");
      emit menu->aboutToShow();  // lists afresh, as when the user opens it
      QAction* item = actionFor(menu, font);
      QVERIFY2(item, "the font in HARMONIA_SOUNDFONT_DIR is not listed");
      QVERIFY(!item->isChecked());
      item->trigger();
      QCOMPARE(harmonia::ui::chosenSoundFont(), font);
      QCOMPARE(window.generatePage()->playback()->soundFont(), font);
    }
    // A new window (the next session) starts with it, checked in the menu.
    MainWindow again;
    QCOMPARE(again.generatePage()->playback()->soundFont(), font);
    auto* menu = again.findChild<SoundFontMenu*>();
    emit menu->aboutToShow();
    QVERIFY(actionFor(menu, font) && actionFor(menu, font)->isChecked());
    // Automatic again: the choice is forgotten.
    menu->choose({});
    QVERIFY(harmonia::ui::chosenSoundFont().isEmpty());
    QVERIFY(again.generatePage()->playback()->soundFont().isEmpty());
  }

  // The chosen file is the one render and play open: a chosen font that is gone is an error
  // naming it (no silent fallback to another font), on the page.
  void renderAndPlayUseTheChosenFont() {
    const QStringList files = harmonia::ui::test::someMidiFiles(1);
    if (files.isEmpty()) QSKIP("no MIDI files on this machine");
    QTemporaryDir dir;
    const QString gone = dir.filePath(QStringLiteral("Gone.sf2"));
    harmonia::ui::setChosenSoundFont(gone);
    GeneratePage page;
    page.show();
    QCOMPARE(page.playback()->soundFont(), gone);
    QVERIFY(page.openPrompt(files.front()));
    QSignalSpy exported(&page, &GeneratePage::wavExported);
    page.exportWav(dir.filePath(QStringLiteral("out.wav")));
    QVERIFY(waitUntil([&] { return exported.count() == 1; }, 60000));
    QVERIFY(!exported.first().at(0).toBool());
    QVERIFY2(exported.first().at(1).toString().contains(gone), qPrintable(exported.first().at(1).toString()));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("out.wav"))));

    QSignalSpy playError(page.playback(), &harmonia::ui::PlaybackController::error);
    QVERIFY(!page.playback()->play());
    QCOMPARE(playError.count(), 1);
    QVERIFY2(playError.first().first().toString().contains(gone), qPrintable(playError.first().first().toString()));
    QVERIFY(page.bannerText().contains(gone));
  }
};
