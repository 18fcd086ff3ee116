#pragma once
// Issue 18 on the Generate page: record a prompt (count-in, take, grid), audition with
// mute/solo and a looped bar selection, and add a part.
#include <QComboBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "../audio/recording_output.hpp"
#include "core/audio/count_in.hpp"
#include "core/audio/midi_recording.hpp"
#include "core/audio/playback_events.hpp"
#include "core/audio/rtmidi_ports.hpp"
#include "ui/bridge/playback_controller.hpp"
#include "ui/bridge/take_backend.hpp"
#include "ui/pages/add_part_panel.hpp"
#include "ui/pages/generate_page.hpp"
#include "ui/pages/record_panel.hpp"
#include "ui/widgets/bar_selection.hpp"
#include "ui/widgets/model_choice_box.hpp"
#include "ui/widgets/piano_roll_rulers.hpp"
#include "ui/widgets/piano_roll_widget.hpp"
#include "ui/widgets/track_mixer.hpp"
#include "ui_test_support.hpp"

namespace record_audition_detail {

namespace midi = harmonia::midi;
namespace audio = harmonia::audio;

// A take fed by hand with explicit times (seconds since the source opened), as a keyboard's
// port would deliver it: MidiRecording is what MidiInputRecorder fills too.
class FedTake final : public harmonia::ui::TakeSource {
 public:
  explicit FedTake(std::shared_ptr<audio::MidiRecording> r) : r_(std::move(r)), start_(std::chrono::steady_clock::now()) {}
  double elapsedSeconds() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  midi::Score finish(double qpm) override { return r_->to_score(elapsedSeconds(), qpm); }
  QString description() const override { return QStringLiteral("test keyboard"); }

 private:
  std::shared_ptr<audio::MidiRecording> r_;
  std::chrono::steady_clock::time_point start_;
};

inline void play(audio::MidiRecording& r, double at, int pitch, double length, int velocity = 90) {
  const uint8_t on[3] = {0x90, uint8_t(pitch), uint8_t(velocity)}, off[3] = {0x80, uint8_t(pitch), 0};
  r.add(at, on, 3);
  r.add(at + length, off, 3);
}

// `bars` bars of 4/4 at 240 qpm (a bar a second): track 0 piano, track 1 bass; each bar's
// pitches are its own (bar b: piano 60+b, bass 36+b), so a note-on tells its bar and track.
inline midi::Score twoTrackPiece(int bars) {
  midi::Score s;
  s.ticks_per_quarter = 480;
  s.tempos = {{0, 250000}};
  s.time_signatures = {{0, 4, 4}};
  midi::Track piano, bass;
  piano.name = "Piano";
  piano.channel = 0;
  bass.name = "Bass";
  bass.program = 33;
  bass.channel = 1;
  for (int b = 0; b < bars; ++b) {
    for (int q = 0; q < 4; ++q) piano.notes.push_back({b * 1920 + q * 480, 400, 60 + b, 90});
    bass.notes.push_back({b * 1920, 1800, 36 + b, 90});
  }
  s.tracks = {piano, bass};
  return s;
}

}  // namespace record_audition_detail

class TestRecordAudition final : public QObject {
  Q_OBJECT
  using GeneratePage = harmonia::ui::GeneratePage;
  using RecordPanel = harmonia::ui::RecordPanel;

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  // Count-in clicks go to the playback output; what is played after them becomes the prompt,
  // on the model's grid, and the prompt's tokens are the take's.
  void recordedTakeBecomesThePromptOnTheGrid() {
    using namespace record_audition_detail;
    GeneratePage page;
    page.show();
    auto out = std::make_shared<harmonia::test::RecordingOutput>();
    page.playback()->useOutput(out);
    RecordPanel* panel = page.recordPanel();
    panel->setTempo(240);  // a one-second count-in
    panel->setCountIn(true);
    auto recording = std::make_shared<audio::MidiRecording>();
    QVERIFY(panel->armWith(std::make_unique<FedTake>(recording)));
    QCOMPARE(panel->state(), RecordPanel::State::CountingIn);
    QVERIFY(panel->status().startsWith("Count-in"));
    QVERIFY(harmonia::ui::test::waitUntil([&] { return panel->state() == RecordPanel::State::Recording; }, 5000));
    // Four clicks, accented downbeat, on the drum channel (the player's thread may trail the
    // page's beat timer on a loaded machine).
    QVERIFY(harmonia::ui::test::waitUntil([&] { return out->note_ons().size() >= 4; }, 3000));
    const auto clicks = out->note_ons();
    QCOMPARE(int(clicks.size()), 4);
    QCOMPARE(int(clicks[0].message.bytes[0]), 0x99);
    QCOMPARE(int(clicks[0].message.bytes[1]), 76);
    QCOMPARE(int(clicks[1].message.bytes[1]), 77);
    // Played off the grid: 13 ms late (25 ticks at 240 qpm), 0.27 s, a note before the count-in ends.
    const double t0 = panel->takeStartSeconds();
    QVERIFY(std::abs(t0 - 1.0) < 0.5);
    play(*recording, t0 - 0.5, 50, 0.1);  // during the count-in: not part of the take
    play(*recording, t0 + 0.013, 60, 0.24);
    play(*recording, t0 + 0.27, 64, 0.2);
    play(*recording, t0 + 0.52, 67, 0.45, 70);
    const midi::Score raw = audio::trim_count_in(recording->to_score(t0 + 1.5, 240), t0);
    QCOMPARE(int(raw.note_count()), 3);
    QCOMPARE(raw.tracks[0].notes[0].time, midi::Tick(25));
    panel->stop();
    QCOMPARE(panel->state(), RecordPanel::State::Idle);
    const midi::Score& prompt = page.currentScore();
    QCOMPARE(int(prompt.note_count()), 3);
    std::vector<midi::Note> notes;
    for (const auto& t : prompt.tracks) notes.insert(notes.end(), t.notes.begin(), t.notes.end());
    std::sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
    QCOMPARE(notes[0].time, midi::Tick(0));    // 25 ticks late: on the beat
    QCOMPARE(notes[1].time, midi::Tick(540));  // 518.4 ticks: the nearest 1/8 beat (60 ticks)
    QCOMPARE(notes[0].pitch, 60);
    QCOMPARE(notes[2].pitch, 67);
    for (const auto& n : notes) QCOMPARE(n.time % 60, midi::Tick(0));
    // The prompt generation reads: the take's own tokens.
    const std::string model = page.modelChoice()->activeModelDir().toStdString();
    std::string error;
    const auto takeIds = harmonia::ui::prompt_ids_for(raw, model, &error);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY(!takeIds.empty());
    QVERIFY(panel->lastTake().ids == takeIds);
    QVERIFY(harmonia::ui::prompt_ids_for(page.session().prompt, model) == takeIds);
    QVERIFY(page.candidateCount() == 0);
  }

  // The studio's virtual input, played into by another client (ALSA sequencer or JACK).
  void virtualInputPortTakeBecomesThePrompt() {
    using namespace record_audition_detail;
    GeneratePage page;
    RecordPanel* panel = page.recordPanel();
    panel->setCountIn(false);
    panel->inputBox()->setCurrentIndex(0);  // the virtual input
    if (!panel->arm()) QSKIP(qPrintable("no virtual MIDI input on this machine: " + panel->status()));
    std::unique_ptr<audio::RtMidiOutput> keyboard;
    try {
      keyboard = audio::RtMidiOutput::open_port("Harmonia Studio in");
    } catch (const std::exception& e) {
      panel->stop();
      QFAIL(e.what());
    }
    for (int pitch : {60, 64, 67}) {
      keyboard->send(audio::MidiMessage::note_on(0, pitch, 100));
      std::this_thread::sleep_for(std::chrono::milliseconds(120));
      keyboard->send(audio::MidiMessage::note_off(0, pitch));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    panel->stop();
    QCOMPARE(int(page.currentScore().note_count()), 3);
    QVERIFY(panel->lastTake().ids ==
            harmonia::ui::prompt_ids_for(page.currentScore(), page.modelChoice()->activeModelDir().toStdString()));
  }

  void missingInputSaysSo() {
    GeneratePage page;
    RecordPanel* panel = page.recordPanel();
    if (audio_inputs().empty()) QVERIFY2(panel->status().contains("No MIDI input port found"), qPrintable(panel->status()));
    panel->inputBox()->addItem(QStringLiteral("No Such Keyboard 4711"), QStringLiteral("No Such Keyboard 4711"));
    panel->inputBox()->setCurrentIndex(panel->inputBox()->count() - 1);
    QSignalSpy messages(panel, &RecordPanel::message);
    QVERIFY(!panel->arm());
    QCOMPARE(messages.count(), 1);
    const QString msg = messages.at(0).at(0).toString();
    QVERIFY2(msg.contains("Cannot record from No Such Keyboard 4711"), qPrintable(msg));
    QCOMPARE(panel->state(), RecordPanel::State::Idle);
  }

  // Mute and solo change which notes the playback sends.
  void muteAndSoloChangeWhatPlays() {
    using namespace record_audition_detail;
    GeneratePage page;
    page.show();
    auto out = std::make_shared<harmonia::test::RecordingOutput>();
    page.playback()->useOutput(out);
    const midi::Score piece = twoTrackPiece(1);
    page.usePrompt(piece, "two tracks");
    auto* mixer = page.trackMixer();
    QCOMPARE(mixer->trackCount(), 2);
    const auto channels = audio::build_playback_events(piece).tracks;
    auto pitchesHeard = [&] {
      out->clear();
      if (!page.playback()->play()) return std::set<int>{-1};
      QTest::qWait(1300);
      page.playback()->stop();
      std::set<int> heard;
      for (const auto& r : out->note_ons()) heard.insert(r.message.bytes[1]);
      return heard;
    };
    std::set<int> heard;
    heard = pitchesHeard();
    QVERIFY(heard == (std::set<int>{60, 36}));
    QTest::mouseClick(mixer->muteButton(1), Qt::LeftButton);  // mute the bass
    QVERIFY(page.playback()->trackMuted(1));
    heard = pitchesHeard();
    QVERIFY(heard == (std::set<int>{60}));
    QTest::mouseClick(mixer->muteButton(1), Qt::LeftButton);
    QTest::mouseClick(mixer->soloButton(1), Qt::LeftButton);  // only the bass
    heard = pitchesHeard();
    QVERIFY(heard == (std::set<int>{36}));
    for (const auto& r : out->note_ons()) QCOMPARE(int(r.message.bytes[0] & 0x0F), channels[1].channel);
    // A new candidate of the same piece keeps the toggles.
    page.showScore(piece, 0);
    QVERIFY(mixer->soloButton(1)->isChecked());
    QVERIFY(page.playback()->trackSolo(1));
  }

  // Bars dragged on the ruler loop: the selection plays twice, nothing outside it plays.
  void loopPlaysTheSelectionTwice() {
    using namespace record_audition_detail;
    GeneratePage page;
    page.resize(1280, 720);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto out = std::make_shared<harmonia::test::RecordingOutput>();
    page.playback()->useOutput(out);
    page.usePrompt(twoTrackPiece(4), "four bars");
    auto* roll = page.rollView()->roll();
    auto* ruler = page.rollView()->ruler();
    roll->setPixelsPerQuarter(20);  // a bar is 80 px
    page.rollView()->horizontalScrollBar()->setValue(0);
    QTest::qWait(50);
    // Drag from bar 2 to bar 3 along the ruler (bars are 0-based inside: 1..2).
    const int y = ruler->height() / 2;
    QTest::mousePress(ruler, Qt::LeftButton, {}, QPoint(int(roll->xForTick(1920)) + 10 - ruler->offset(), y));
    QMouseEvent move(QEvent::MouseMove, QPointF(roll->xForTick(2 * 1920) + 30 - ruler->offset(), y), ruler->mapToGlobal(QPointF(0, 0)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(ruler, &move);
    QTest::mouseRelease(ruler, Qt::LeftButton, {}, QPoint(int(roll->xForTick(2 * 1920)) + 30 - ruler->offset(), y));
    auto* selection = page.barSelection();
    QVERIFY(selection->active());
    QCOMPARE(selection->firstBar(), 1);
    QCOMPARE(selection->lastBar(), 2);
    QVERIFY(selection->band()->isVisible());
    page.loopButton()->click();
    QVERIFY(page.playback()->looping());
    QVERIFY(page.playback()->play());
    QTest::qWait(4500);  // two passes of two one-second bars, and a bit of the third
    page.playback()->stop();
    std::map<int, int> count;
    for (const auto& r : out->note_ons()) ++count[r.message.bytes[1]];
    QVERIFY2(count[37] >= 2 && count[38] >= 2, "the looped bars' bass notes did not play twice");
    QVERIFY(count[61] >= 8 && count[62] >= 8);
    QCOMPARE(count[36] + count[60], 0);  // bar 1: before the selection
    QCOMPARE(count[39] + count[63], 0);  // bar 4: after it
    // Loop off: the whole piece again.
    page.loopButton()->click();
    QVERIFY(!page.playback()->looping());
  }

  // Add a part from the starter model (REMI with programs): the piece stays, a bass comes in.
  void addPartAddsATrackAndUndoRemovesIt() {
    using namespace record_audition_detail;
    GeneratePage page;
    if (page.modelChoice()->activeModelDir().isEmpty()) QSKIP("no starter model in this build");
    const midi::Score piece = twoTrackPiece(2);
    midi::Score pianoOnly = piece;
    pianoOnly.tracks.pop_back();
    page.usePrompt(pianoOnly, "piano");
    auto* panel = page.addPartPanel();
    panel->setProgram(33);
    panel->setSeed(3);
    QSignalSpy done(panel, &harmonia::ui::AddPartPanel::finished);
    panel->addPart();
    QVERIFY(harmonia::ui::test::waitUntil([&] { return done.count() > 0; }, 120000));
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(panel->status()));
    const midi::Score& now = page.currentScore();
    QCOMPARE(int(now.tracks.size()), 2);
    QVERIFY(now.tracks[0] == pianoOnly.tracks[0]);
    QCOMPARE(now.tracks[1].program, 33);
    QVERIFY(now.tracks[1].notes.size() > 0);
    QCOMPARE(page.trackMixer()->trackCount(), 2);
    panel->undo();
    QCOMPARE(int(page.currentScore().tracks.size()), 1);
  }

 private:
  static std::vector<harmonia::audio::MidiPortInfo> audio_inputs() { return harmonia::audio::list_midi_ports().inputs; }
};
