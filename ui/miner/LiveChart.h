#pragma once

#include <QChartView>
#include <QList>
#include <QPointF>

class QLineSeries;
class QValueAxis;

namespace teft::ui {

// A line chart of one or more series over a step axis, for metrics arriving while a job runs.
// Points are appended in batches (the caller coalesces); axes follow the data.
class LiveChart : public QChartView {
    Q_OBJECT
public:
    LiveChart(const QString& title, const QString& yTitle, QWidget* parent = nullptr);

    int addSeries(const QString& name, const QColor& colour, qreal width = 1.5);
    void appendPoints(int series, const QList<QPointF>& points);
    void replacePoints(int series, const QList<QPointF>& points);
    void clearAll();
    // Removes every series (a chart whose series follow a choice, such as the runs compared).
    void removeAllSeries();
    // The y axis never goes below 0 (a quantity that cannot: tokens/s, a learning rate, a loss).
    void setNonNegative(bool nonNegative) { m_nonNegative = nonNegative; }
    double yMinimum() const;
    double yMaximum() const;
    QLineSeries* series(int i) const { return m_series.at(i); }
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    void setLogScaleHint(bool scientific); // y labels in scientific notation (learning rate)
    // What the tooltip over series `series` near step x says: the series, the nearest recorded
    // step and its value, in the widget's locale (German "1,5"), as the axis labels are.
    QString pointText(int series, qreal x) const;

protected:
    // Follows the palette (dark themes) and the locale (numbers on the axes and in tooltips).
    void changeEvent(QEvent* event) override;

private:
    void updateAxes();
    void followLocale();

    QList<QLineSeries*> m_series;
    QList<QList<QPointF>> m_points; // what each series shows (replace() redraws once)
    QValueAxis* m_x;
    QValueAxis* m_y;
    bool m_nonNegative = false;
    bool m_scientific = false;
};

} // namespace teft::ui
