// In a scrolling settings column the mouse wheel must scroll the column: a combo box, spin
// box or slider that happens to pass under the pointer would otherwise take the wheel and
// silently change a setting (on the Tokenizer page: the scheme or the model, which drops a
// trained vocabulary). Guarded controls take the wheel only once clicked or tabbed into.
#pragma once

class QScrollArea;

namespace harmonia::ui {

// Guards every combo box, spin box and slider inside `scroll`'s widget, now present.
void guardWheelInColumn(QScrollArea* scroll);

}  // namespace harmonia::ui
