#pragma once

#include <QPointer>
#include <QWidget>

namespace teft::ui {

class RoutingHeatmapModel;

// The colour scale of the heatmap: a gradient bar with the metric's name and its range.
class HeatmapLegend : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapLegend(RoutingHeatmapModel* model, QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QPointer<RoutingHeatmapModel> m_model;
};

} // namespace teft::ui
