#include "ui/miner/LiveChart.h"

#include "ui/shell/Appearance.h"

#include <QChart>
#include <QCursor>
#include <QEvent>
#include <QLineSeries>
#include <QLocale>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace teft::ui {

LiveChart::LiveChart(const QString& title, const QString& yTitle, QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    m_x = new QValueAxis;
    m_x->setTitleText(tr("Step"));
    // With localised numbers Qt Charts formats only a "%.<precision><conversion>" (a bare "%g"
    // gives empty labels): whole steps print as such, a half tick as "37,5" in German.
    m_x->setLabelFormat(QStringLiteral("%.6g"));
    m_x->setRange(0, 1);
    m_y = new QValueAxis;
    m_y->setTitleText(yTitle);
    m_y->setRange(0, 1);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    setChart(chart);
    // The axes' labels in the user's locale (QValueAxis formats with printf otherwise: "1.5"
    // in German); QChart applies it to the %g/%e label formats.
    chart->setLocalizeNumbers(true);
    followLocale();
    followPalette(chart, palette());
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(260, 180);
}

void LiveChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        followPalette(chart(), palette());
    if (event->type() == QEvent::LocaleChange)
        followLocale();
    QChartView::changeEvent(event);
}

void LiveChart::followLocale()
{
    // Steps and losses without digit grouping: a German "1.000" on a step axis reads as 1,0.
    QLocale l = locale();
    l.setNumberOptions(l.numberOptions() | QLocale::OmitGroupSeparator);
    chart()->setLocale(l);
}

QString LiveChart::pointText(int series, qreal x) const
{
    if (series < 0 || series >= m_points.size())
        return {};
    const QList<QPointF>& pts = m_points.at(series);
    const QPointF* nearest = nullptr;
    for (const QPointF& p : pts)
        if (std::isfinite(p.y()) && (!nearest || std::abs(p.x() - x) < std::abs(nearest->x() - x)))
            nearest = &p;
    if (!nearest)
        return {};
    const QLocale l = chart()->locale();
    const QString value = m_scientific ? l.toString(nearest->y(), 'e', 2) : l.toString(nearest->y(), 'g', 5);
    return tr("%1 at step %2: %3")
        .arg(m_series.at(series)->name(), l.toString(static_cast<qint64>(std::llround(nearest->x()))), value);
}

int LiveChart::addSeries(const QString& name, const QColor& colour, qreal width)
{
    auto* s = new QLineSeries;
    s->setName(name);
    QPen pen(colour);
    pen.setWidthF(width);
    s->setPen(pen);
    chart()->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    connect(s, &QLineSeries::hovered, this, [this, s](const QPointF& point, bool entered) {
        if (!entered) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(), pointText(static_cast<int>(m_series.indexOf(s)), point.x()), this);
    });
    m_series.push_back(s);
    m_points.push_back({});
    return static_cast<int>(m_series.size()) - 1;
}

void LiveChart::appendPoints(int series, const QList<QPointF>& points)
{
    if (points.isEmpty())
        return;
    // QXYSeries::append(list) relayouts the whole line once per appended point (quadratic);
    // replace() does it once.
    m_points[series].append(points);
    m_series.at(series)->replace(m_points[series]);
    updateAxes();
}

void LiveChart::replacePoints(int series, const QList<QPointF>& points)
{
    m_points[series] = points;
    m_series.at(series)->replace(points);
    updateAxes();
}

void LiveChart::clearAll()
{
    for (QLineSeries* s : m_series)
        s->clear();
    for (auto& p : m_points)
        p.clear();
    m_x->setRange(0, 1);
    m_y->setRange(0, 1);
}

void LiveChart::removeAllSeries()
{
    for (QLineSeries* s : std::as_const(m_series)) {
        chart()->removeSeries(s);
        delete s;
    }
    m_series.clear();
    m_points.clear();
    m_x->setRange(0, 1);
    m_y->setRange(0, 1);
}

double LiveChart::yMinimum() const { return m_y->min(); }

double LiveChart::yMaximum() const { return m_y->max(); }

void LiveChart::setLogScaleHint(bool scientific)
{
    m_scientific = scientific;
    m_y->setLabelFormat(scientific ? QStringLiteral("%.1e") : QStringLiteral("%.3g"));
}

void LiveChart::updateAxes()
{
    double xMax = 1.0;
    double yMin = std::numeric_limits<double>::infinity();
    double yMax = -std::numeric_limits<double>::infinity();
    for (const QList<QPointF>& pts : std::as_const(m_points)) {
        for (const QPointF& p : pts) {
            if (!std::isfinite(p.y()))
                continue;
            xMax = std::max(xMax, p.x());
            yMin = std::min(yMin, p.y());
            yMax = std::max(yMax, p.y());
        }
    }
    if (!std::isfinite(yMin))
        return;
    double pad = (yMax - yMin) * 0.05;
    if (pad <= 0.0)
        pad = std::max(std::abs(yMax) * 0.05, 1e-12);
    m_x->setRange(0, xMax);
    m_x->applyNiceNumbers();
    double low = yMin - pad;
    // The padding of a quantity that cannot be negative stops at 0 (a throughput axis at −52.6
    // tokens/s reads as a measurement).
    if (m_nonNegative && low < 0.0)
        low = 0.0;
    m_y->setRange(low, std::max(yMax + pad, low + 1e-12));
}

} // namespace teft::ui
