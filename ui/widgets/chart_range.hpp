// Axis ranges a reader can trust. QCustomPlot's rescale leaves an empty chart at its default
// range and centres a single value in a range as wide as the old one, so an empty pitch
// histogram read -2.5..2.5 notes and the first training step sat at step -1.5..3.5.
#pragma once

class QCustomPlot;

namespace harmonia::ui {

// Fits the key (x) and/or value (y) axis to the visible data. No data: 0..1 (0.1..10 on a
// log axis). A single value v: v-1..v+1, never below 0 when v is not (v/2..2v on a log axis).
void fitChartAxes(QCustomPlot* plot, bool keys = true, bool values = true);

}  // namespace harmonia::ui
