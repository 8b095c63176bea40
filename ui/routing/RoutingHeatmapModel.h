#pragma once

#include "core/teft/RoutingStats.h"
#include "ui/routing/SelectionDocument.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <optional>
#include <vector>

namespace teft::ui {

// Routing statistics as a table: rows = MoE layers, columns = experts. The value shown is one
// metric of RoutingStats (token share, gate score, contrast with a reference); the selection
// column state comes from a SelectionDocument, which the model listens to.
class RoutingHeatmapModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        ValueRole = Qt::UserRole + 1, // double: the current metric
        SelectedRole,                 // bool: the expert is in the selection
        ModelLayerRole,               // int: the model layer index of the row
        CountRole,                    // double: token count c[l,e]
        GateMassRole,                 // double: gate mass g[l,e]
    };

    explicit RoutingHeatmapModel(QObject* parent = nullptr);

    void setStats(const RoutingStats& stats);
    // The reference statistics for the contrast metrics; must have the same shape as the stats
    // (throws teft::UsageError otherwise). Clearing falls back to token share if needed.
    void setReference(const RoutingStats& reference);
    void clearReference();
    bool hasReference() const { return m_reference.has_value(); }
    const RoutingStats& stats() const { return m_stats; }
    const RoutingStats* reference() const { return m_reference ? &*m_reference : nullptr; }

    void setMetric(RoutingMetric metric);
    RoutingMetric metric() const { return m_metric; }

    void setSelectionDocument(SelectionDocument* document);
    SelectionDocument* selectionDocument() const { return m_document; }

    // The current metric, row-major [rows × experts], and its range (for the colour scale).
    const std::vector<double>& values() const { return m_values; }
    double value(int row, int expert) const;
    double minimum() const { return m_min; }
    double maximum() const { return m_max; }
    // Contrast metrics are signed: the colour scale is centred on zero.
    bool isSigned() const;
    bool isSelected(int row, int expert) const;

    static QString metricName(RoutingMetric metric);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    // The metric values changed (new stats, reference or metric): colours must be rebuilt.
    void valuesChanged();

private:
    void recompute();
    void onSelectionChanged();

    RoutingStats m_stats;
    std::optional<RoutingStats> m_reference;
    RoutingMetric m_metric = RoutingMetric::TokenShare;
    std::vector<double> m_values;
    double m_min = 0.0;
    double m_max = 0.0;
    QPointer<SelectionDocument> m_document;
};

} // namespace teft::ui
