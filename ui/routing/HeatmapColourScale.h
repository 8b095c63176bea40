#pragma once

#include <QColor>
#include <array>

namespace teft::ui {

// Maps a value to a colour: a perceptually ordered sequential scale (dark blue → yellow, close
// to viridis) for non-negative metrics, a diverging blue–white–red scale centred on zero for
// signed ones (contrast). The lookup tables are computed once.
class HeatmapColourScale {
public:
    HeatmapColourScale() = default;
    HeatmapColourScale(double minimum, double maximum, bool diverging);

    double minimum() const { return m_min; }
    double maximum() const { return m_max; }
    bool diverging() const { return m_diverging; }

    QRgb colour(double value) const;
    // t in [0, 1] along the scale.
    QRgb colourAt(double t) const;

private:
    double m_min = 0.0;
    double m_max = 1.0;
    bool m_diverging = false;
};

} // namespace teft::ui
