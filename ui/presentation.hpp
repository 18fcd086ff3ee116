// Presentation mode: the studio as a class sees it on a projector. Larger text everywhere
// (the application font x1.6), high contrast (ui/theme.hpp), and every chart's lines twice as
// thick with its axis, legend and title text scaled like the rest. One switch for the whole
// application; the window keeps fitting 1280x720 (the layout test audits it).
#pragma once

class QApplication;
class QCustomPlot;

namespace harmonia::ui {

// Within the x1.5-2: at x1.6 the default 9 pt text becomes 14.4 pt, readable from the
// back of a classroom, and the pages still fit 1280x720.
constexpr double kPresentationFontScale = 1.6;
constexpr double kPresentationPenScale = 2.0;
// A settings column (PipelinePage::sideColumn) whose content needs more than 380 px at x1.6
// says so in this property (an int, pixels; at most 560 are given).
constexpr const char* kPresentationMinimumWidth = "harmoniaPresentationMinimumWidth";

bool presentationMode();
// Scales the application font and every chart, and sets the high-contrast palette (or puts
// all of it back). Nothing happens when the mode is already `on`.
void setPresentationMode(QApplication& app, bool on);
// Brings one chart to the current mode: each graph's pen and scatter size, the axes', legend's
// and title's fonts, from their sizes at normal scale (kept on the objects), so calling it
// again changes nothing. Charts that add graphs later call it after adding them.
void stylePlotForPresentation(QCustomPlot* plot);

}  // namespace harmonia::ui
