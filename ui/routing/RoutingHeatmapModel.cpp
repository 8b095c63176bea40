#include "ui/routing/RoutingHeatmapModel.h"

#include "core/util/Error.h"
#include "ui/routing/SelectionDocument.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

namespace teft::ui {

RoutingHeatmapModel::RoutingHeatmapModel(QObject* parent) : QAbstractTableModel(parent) {}

void RoutingHeatmapModel::setStats(const RoutingStats& stats)
{
    beginResetModel();
    m_stats = stats;
    if (m_reference && !m_reference->sameShape(m_stats))
        m_reference.reset();
    if (needsReference(m_metric) && !m_reference)
        m_metric = RoutingMetric::TokenShare;
    recompute();
    endResetModel();
    Q_EMIT valuesChanged();
}

void RoutingHeatmapModel::setReference(const RoutingStats& reference)
{
    if (!reference.sameShape(m_stats))
        throw UsageError(tr("The reference statistics have %1 MoE layers × %2 experts, the target has %3 × %4: "
                            "both must come from the same model.")
                             .arg(reference.rows())
                             .arg(reference.numExperts())
                             .arg(m_stats.rows())
                             .arg(m_stats.numExperts())
                             .toStdString());
    m_reference = reference;
    if (needsReference(m_metric)) {
        recompute();
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        Q_EMIT valuesChanged();
    }
}

void RoutingHeatmapModel::clearReference()
{
    m_reference.reset();
    if (needsReference(m_metric))
        setMetric(RoutingMetric::TokenShare);
}

void RoutingHeatmapModel::setMetric(RoutingMetric metric)
{
    if (needsReference(metric) && !m_reference)
        throw UsageError(tr("The metric “%1” needs reference statistics: load a reference dataset first.")
                             .arg(metricName(metric))
                             .toStdString());
    if (metric == m_metric)
        return;
    m_metric = metric;
    recompute();
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    Q_EMIT valuesChanged();
}

void RoutingHeatmapModel::setSelectionDocument(SelectionDocument* document)
{
    if (m_document)
        disconnect(m_document, nullptr, this, nullptr);
    m_document = document;
    if (m_document)
        connect(m_document, &SelectionDocument::changed, this, &RoutingHeatmapModel::onSelectionChanged);
    onSelectionChanged();
}

void RoutingHeatmapModel::onSelectionChanged()
{
    if (rowCount() > 0 && columnCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {SelectedRole, Qt::ToolTipRole});
}

void RoutingHeatmapModel::recompute()
{
    m_values = m_stats.rows() > 0 ? m_stats.scores(m_metric, m_reference ? &*m_reference : nullptr)
                                  : std::vector<double>{};
    m_min = 0.0;
    m_max = 0.0;
    bool first = true;
    for (double v : m_values) {
        if (!std::isfinite(v))
            continue;
        if (first) {
            m_min = m_max = v;
            first = false;
        } else {
            m_min = std::min(m_min, v);
            m_max = std::max(m_max, v);
        }
    }
}

double RoutingHeatmapModel::value(int row, int expert) const
{
    return m_values[static_cast<std::size_t>(row) * static_cast<std::size_t>(m_stats.numExperts()) +
                    static_cast<std::size_t>(expert)];
}

bool RoutingHeatmapModel::isSigned() const
{
    return m_metric == RoutingMetric::ContrastDifference || m_metric == RoutingMetric::ContrastLogRatio;
}

bool RoutingHeatmapModel::isSelected(int row, int expert) const
{
    return m_document && m_document->isSelected(row, expert);
}

QString RoutingHeatmapModel::metricName(RoutingMetric metric)
{
    switch (metric) {
    case RoutingMetric::TokenShare: return tr("Token share");
    case RoutingMetric::GateScore: return tr("Gate score");
    case RoutingMetric::ContrastDifference: return tr("Contrast (difference)");
    case RoutingMetric::ContrastLogRatio: return tr("Contrast (log ratio)");
    }
    return {};
}

int RoutingHeatmapModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : m_stats.rows(); }

int RoutingHeatmapModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_stats.numExperts();
}

QVariant RoutingHeatmapModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int expert = index.column();
    switch (role) {
    case Qt::DisplayRole: return QLocale().toString(value(row, expert), 'g', 4);
    case Qt::ToolTipRole: {
        QString tip = tr("Layer %1, expert %2").arg(m_stats.moeLayers()[static_cast<std::size_t>(row)]).arg(expert);
        tip += QLatin1Char('\n') + tr("Tokens routed: %1 of %2")
                                       .arg(QLocale().toString(m_stats.count(row, expert), 'f', 0))
                                       .arg(QLocale().toString(static_cast<qlonglong>(m_stats.tokens(row))));
        tip += QLatin1Char('\n') + tr("Gate mass: %1").arg(QLocale().toString(m_stats.gateMass(row, expert), 'g', 6));
        tip += QLatin1Char('\n') +
               tr("Token share: %1").arg(QLocale().toString(m_stats.tokenShare(row, expert), 'g', 6));
        tip += QLatin1Char('\n') + tr("Gate score: %1").arg(QLocale().toString(m_stats.gateScore(row, expert), 'g', 6));
        if (m_reference) {
            tip +=
                QLatin1Char('\n') +
                tr("Reference token share: %1").arg(QLocale().toString(m_reference->tokenShare(row, expert), 'g', 6));
            tip += QLatin1Char('\n') +
                   tr("Contrast (difference): %1")
                       .arg(QLocale().toString(m_stats.contrastDifference(*m_reference, row, expert), 'g', 6));
            tip += QLatin1Char('\n') +
                   tr("Contrast (log ratio): %1")
                       .arg(QLocale().toString(m_stats.contrastLogRatio(*m_reference, row, expert), 'g', 6));
        }
        tip += QLatin1Char('\n') + (isSelected(row, expert) ? tr("Selected for training") : tr("Not selected"));
        return tip;
    }
    case ValueRole: return value(row, expert);
    case SelectedRole: return isSelected(row, expert);
    case ModelLayerRole: return m_stats.moeLayers()[static_cast<std::size_t>(row)];
    case CountRole: return m_stats.count(row, expert);
    case GateMassRole: return m_stats.gateMass(row, expert);
    default: return {};
    }
}

QVariant RoutingHeatmapModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= columnCount())
            return {};
        return role == Qt::DisplayRole ? QString::number(section) : tr("Expert %1").arg(section);
    }
    if (section < 0 || section >= rowCount())
        return {};
    const int layer = m_stats.moeLayers()[static_cast<std::size_t>(section)];
    return role == Qt::DisplayRole ? QString::number(layer) : tr("Model layer %1").arg(layer);
}

QHash<int, QByteArray> RoutingHeatmapModel::roleNames() const
{
    auto names = QAbstractTableModel::roleNames();
    names.insert(ValueRole, "value");
    names.insert(SelectedRole, "selected");
    names.insert(ModelLayerRole, "modelLayer");
    names.insert(CountRole, "count");
    names.insert(GateMassRole, "gateMass");
    return names;
}

} // namespace teft::ui
