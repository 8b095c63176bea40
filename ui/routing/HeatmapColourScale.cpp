#include "ui/routing/HeatmapColourScale.h"

#include <algorithm>
#include <cmath>

namespace teft::ui {

namespace {

using Table = std::array<QRgb, 256>;

QRgb interpolate(const QColor* stops, int count, double t)
{
    const double x = std::clamp(t, 0.0, 1.0) * (count - 1);
    const int i = std::min(static_cast<int>(x), count - 2);
    const double f = x - i;
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return qRgb(static_cast<int>(std::lround(a.red() + (b.red() - a.red()) * f)),
                static_cast<int>(std::lround(a.green() + (b.green() - a.green()) * f)),
                static_cast<int>(std::lround(a.blue() + (b.blue() - a.blue()) * f)));
}

const Table& sequentialTable()
{
    static const Table table = [] {
        // Samples of viridis at 0, 1/6, ..., 1.
        const QColor stops[] = {QColor(68, 1, 84),    QColor(68, 57, 131),  QColor(49, 104, 142), QColor(33, 145, 140),
                                QColor(53, 183, 121), QColor(144, 215, 67), QColor(253, 231, 37)};
        Table t{};
        for (int i = 0; i < 256; ++i)
            t[static_cast<std::size_t>(i)] = interpolate(stops, 7, i / 255.0);
        return t;
    }();
    return table;
}

const Table& divergingTable()
{
    static const Table table = [] {
        const QColor stops[] = {QColor(33, 102, 172), QColor(146, 197, 222), QColor(247, 247, 247),
                                QColor(244, 165, 130), QColor(178, 24, 43)};
        Table t{};
        for (int i = 0; i < 256; ++i)
            t[static_cast<std::size_t>(i)] = interpolate(stops, 5, i / 255.0);
        return t;
    }();
    return table;
}

} // namespace

HeatmapColourScale::HeatmapColourScale(double minimum, double maximum, bool diverging)
    : m_min(minimum), m_max(maximum), m_diverging(diverging)
{
    if (m_diverging) {
        const double a = std::max(std::abs(minimum), std::abs(maximum));
        m_min = -a;
        m_max = a;
    } else if (m_min > 0.0) {
        m_min = 0.0; // shares and scores read best from zero
    }
}

QRgb HeatmapColourScale::colourAt(double t) const
{
    const Table& table = m_diverging ? divergingTable() : sequentialTable();
    if (!std::isfinite(t))
        return qRgb(128, 128, 128);
    const int i = std::clamp(static_cast<int>(std::lround(t * 255.0)), 0, 255);
    return table[static_cast<std::size_t>(i)];
}

QRgb HeatmapColourScale::colour(double value) const
{
    if (!std::isfinite(value))
        return qRgb(128, 128, 128);
    const double span = m_max - m_min;
    return colourAt(span > 0.0 ? (value - m_min) / span : (m_diverging ? 0.5 : 0.0));
}

} // namespace teft::ui
