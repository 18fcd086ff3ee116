// A message strip at the top of a page: errors stay there, in full, until the user closes
// it or the page starts something new (the status bar cuts long text at the window's edge
// and forgets it after a few seconds). The text can be selected and copied.
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace harmonia::ui {

class MessageBanner : public QFrame {
  Q_OBJECT
 public:
  enum class Kind { Error, Info };
  explicit MessageBanner(QWidget* parent = nullptr);

  void showMessage(const QString& text, Kind kind = Kind::Error);
  QString text() const;
  Kind kind() const { return kind_; }
  QLabel* label() const { return label_; }

 public slots:
  void dismiss();

 signals:
  void dismissed();

 protected:
  void changeEvent(QEvent* event) override;

 private:
  void applyColours();

  QLabel* label_ = nullptr;
  QToolButton* close_ = nullptr;
  Kind kind_ = Kind::Error;
};

}  // namespace harmonia::ui
