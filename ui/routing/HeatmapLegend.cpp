#include "ui/routing/HeatmapLegend.h"

#include "ui/routing/HeatmapColourScale.h"
#include "ui/routing/RoutingHeatmapModel.h"

#include <QImage>
#include <QLocale>
#include <QPainter>

namespace teft::ui {

HeatmapLegend::HeatmapLegend(RoutingHeatmapModel* model, QWidget* parent) : QWidget(parent), m_model(model)
{
    if (m_model) {
        connect(m_model, &RoutingHeatmapModel::valuesChanged, this, qOverload<>(&QWidget::update));
        connect(m_model, &QAbstractItemModel::modelReset, this, qOverload<>(&QWidget::update));
    }
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize HeatmapLegend::sizeHint() const
{
    const QFontMetrics fm(font());
    return {400, fm.height() * 2 + 18};
}

QSize HeatmapLegend::minimumSizeHint() const
{
    const QFontMetrics fm(font());
    return {200, fm.height() * 2 + 18};
}

void HeatmapLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    if (!m_model || m_model->rowCount() == 0)
        return;
    const HeatmapColourScale scale(m_model->minimum(), m_model->maximum(), m_model->isSigned());
    const QFontMetrics fm(font());
    const QString name = RoutingHeatmapModel::metricName(m_model->metric());
    const int nameW = fm.horizontalAdvance(name) + 12;
    const QRect bar(nameW, 4, std::max(10, width() - nameW - 8), fm.height());

    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, bar.top(), nameW, bar.height()), Qt::AlignLeft | Qt::AlignVCenter, name);

    QImage gradient(bar.width(), 1, QImage::Format_RGB32);
    for (int x = 0; x < bar.width(); ++x)
        gradient.setPixel(x, 0, scale.colourAt(bar.width() > 1 ? x / double(bar.width() - 1) : 0.0));
    p.drawImage(bar, gradient);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(bar.adjusted(0, 0, -1, -1));

    p.setPen(palette().color(QPalette::WindowText));
    const int ticks = 5;
    for (int i = 0; i < ticks; ++i) {
        const double t = i / double(ticks - 1);
        const double v = scale.minimum() + t * (scale.maximum() - scale.minimum());
        const int x = bar.left() + static_cast<int>(t * (bar.width() - 1));
        p.drawLine(x, bar.bottom() + 1, x, bar.bottom() + 4);
        const QString label = QLocale().toString(v, 'g', 3);
        const int w = fm.horizontalAdvance(label) + 4;
        int left = x - w / 2;
        left = std::clamp(left, bar.left(), bar.right() - w);
        p.drawText(QRect(left, bar.bottom() + 5, w, fm.height()), Qt::AlignCenter, label);
    }
}

} // namespace teft::ui
