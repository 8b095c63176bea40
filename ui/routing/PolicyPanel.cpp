#include "ui/routing/PolicyPanel.h"

#include "core/util/Error.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/SelectionDocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <cmath>

namespace teft::ui {

namespace {
QWidget* sliderWithBox(QSlider* slider, QWidget* box)
{
    auto* w = new QWidget;
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(slider, 1);
    l->addWidget(box);
    return w;
}
} // namespace

PolicyPanel::PolicyPanel(RoutingHeatmapModel* model, SelectionDocument* document, QWidget* parent)
    : QWidget(parent), m_model(model), m_document(document)
{
    m_kind = new QComboBox;
    m_kind->addItem(tr("Top-k per layer"), static_cast<int>(SelectionPolicy::Kind::TopKPerLayer));
    m_kind->addItem(tr("Top-p per layer (ESFT)"), static_cast<int>(SelectionPolicy::Kind::TopPPerLayer));
    m_kind->addItem(tr("Global budget"), static_cast<int>(SelectionPolicy::Kind::GlobalBudget));
    m_kind->setToolTip(tr("How experts are picked from the metric shown in the heatmap"));

    m_kSlider = new QSlider(Qt::Horizontal);
    m_kSlider->setRange(1, 1024);
    m_kSlider->setValue(4);
    m_kSpin = new QSpinBox;
    m_kSpin->setRange(1, 1024);
    m_kSpin->setValue(4);
    m_kSlider->setToolTip(tr("Experts kept in every MoE layer"));

    m_pSlider = new QSlider(Qt::Horizontal);
    m_pSlider->setRange(1, 100);
    m_pSlider->setValue(20);
    m_pSpin = new QDoubleSpinBox;
    m_pSpin->setRange(0.01, 1.0);
    m_pSpin->setSingleStep(0.01);
    m_pSpin->setDecimals(2);
    m_pSpin->setValue(0.20);
    m_pSlider->setToolTip(tr("Per layer, experts are added best first until their cumulative share reaches p"));

    m_budgetExperts = new QSpinBox;
    m_budgetExperts->setRange(0, 1000000);
    m_budgetExperts->setValue(16);
    m_budgetExperts->setSpecialValueText(tr("no limit"));
    m_budgetMiB = new QDoubleSpinBox;
    m_budgetMiB->setRange(0.0, 1.0e7);
    m_budgetMiB->setDecimals(1);
    m_budgetMiB->setSuffix(tr(" MiB"));
    m_budgetMiB->setSpecialValueText(tr("no limit"));
    m_budgetMiB->setToolTip(tr("Largest submission: the selected experts' updates as miners send them (fp32)"));

    m_pages = new QStackedWidget;
    auto* kPage = new QWidget;
    auto* kForm = new QFormLayout(kPage);
    kForm->setContentsMargins(0, 0, 0, 0);
    kForm->addRow(tr("Experts per layer:"), sliderWithBox(m_kSlider, m_kSpin));
    auto* pPage = new QWidget;
    auto* pForm = new QFormLayout(pPage);
    pForm->setContentsMargins(0, 0, 0, 0);
    pForm->addRow(tr("Cumulative share p:"), sliderWithBox(m_pSlider, m_pSpin));
    auto* bPage = new QWidget;
    auto* bForm = new QFormLayout(bPage);
    bForm->setContentsMargins(0, 0, 0, 0);
    bForm->addRow(tr("Maximum experts:"), m_budgetExperts);
    bForm->addRow(tr("Maximum size:"), m_budgetMiB);
    m_pages->addWidget(kPage);
    m_pages->addWidget(pPage);
    m_pages->addWidget(bPage);

    m_positiveOnly = new QCheckBox(tr("Only experts with a positive score"));
    m_positiveOnly->setChecked(true);
    m_live = new QCheckBox(tr("Apply while editing"));
    m_live->setChecked(true);
    m_applyButton = new QPushButton(tr("&Apply policy"));
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    QPalette warn = m_message->palette();
    warn.setColor(QPalette::WindowText, QColor(190, 40, 40));
    m_message->setPalette(warn);

    m_note = new QLabel;
    m_note->setObjectName("savedSelectionNote");
    m_note->setWordWrap(true);
    m_note->setVisible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* form = new QFormLayout;
    form->addRow(tr("Policy:"), m_kind);
    layout->addLayout(form);
    layout->addWidget(m_pages);
    layout->addWidget(m_positiveOnly);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_live);
    buttons->addStretch(1);
    buttons->addWidget(m_applyButton);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_note);

    m_kind->setCurrentIndex(0);
    m_pages->setCurrentIndex(0);

    connect(m_kind, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        m_pages->setCurrentIndex(i);
        onSettingChanged();
    });
    connect(m_kSlider, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(m_kSpin);
        m_kSpin->setValue(v);
        onSettingChanged();
    });
    connect(m_kSpin, qOverload<int>(&QSpinBox::valueChanged), m_kSlider, &QSlider::setValue);
    connect(m_pSlider, &QSlider::valueChanged, this, [this](int v) {
        const QSignalBlocker block(m_pSpin);
        m_pSpin->setValue(v / 100.0);
        onSettingChanged();
    });
    connect(m_pSpin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double v) {
        {
            const QSignalBlocker block(m_pSlider);
            m_pSlider->setValue(static_cast<int>(std::lround(v * 100.0)));
        }
        onSettingChanged();
    });
    connect(m_budgetExperts, qOverload<int>(&QSpinBox::valueChanged), this, &PolicyPanel::onSettingChanged);
    connect(m_budgetMiB, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &PolicyPanel::onSettingChanged);
    connect(m_positiveOnly, &QCheckBox::toggled, this, &PolicyPanel::onSettingChanged);
    connect(m_applyButton, &QPushButton::clicked, this, &PolicyPanel::apply);
    if (m_model) {
        connect(m_model, &QAbstractItemModel::modelReset, this, &PolicyPanel::updateRanges);
        connect(m_model, &RoutingHeatmapModel::valuesChanged, this, &PolicyPanel::updateRanges);
    }
    updateRanges();
}

void PolicyPanel::updateRanges()
{
    if (!m_model || m_model->columnCount() == 0)
        return; // keep the chosen k until there is something to select from
    const int experts = m_model->columnCount();
    const QSignalBlocker b1(m_kSlider);
    const QSignalBlocker b2(m_kSpin);
    m_kSlider->setRange(1, experts);
    m_kSpin->setRange(1, experts);
    m_kSpin->setValue(m_kSlider->value());
}

void PolicyPanel::showSavedSelection(const ExpertSelection* selection)
{
    if (!selection || !m_document) {
        m_note->clear();
        m_note->setVisible(false);
        return;
    }
    const std::vector<int>& layers = m_document->layout().moeLayers;
    int perLayer = -1;
    bool uniform = !layers.empty();
    for (int layer : layers) {
        const int n = selection->count(layer);
        if (perLayer < 0)
            perLayer = n;
        uniform = uniform && n == perLayer;
    }
    if (uniform && perLayer > 0) {
        const QSignalBlocker b1(m_kind);
        const QSignalBlocker b2(m_kSlider);
        const QSignalBlocker b3(m_kSpin);
        m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(SelectionPolicy::Kind::TopKPerLayer)));
        m_pages->setCurrentIndex(m_kind->currentIndex());
        m_kSlider->setValue(perLayer);
        m_kSpin->setValue(perLayer);
        m_note->setText(tr("Showing the project's saved selection: %n expert(s) per layer.", nullptr, perLayer));
    } else {
        m_note->setText(tr("Showing the project's saved selection: %n expert(s), not the same number in every "
                           "layer (chosen by hand or by a budget). Changing a setting here applies that policy "
                           "instead.",
                           nullptr, selection->count()));
    }
    m_note->setVisible(true);
}

SelectionPolicy PolicyPanel::policy() const
{
    SelectionPolicy p;
    p.kind = static_cast<SelectionPolicy::Kind>(m_kind->currentData().toInt());
    p.metric = m_model ? m_model->metric() : RoutingMetric::TokenShare;
    p.k = m_kSlider->value();
    p.p = m_pSpin->value();
    p.maxExperts = m_budgetExperts->value();
    p.maxBytes = static_cast<std::int64_t>(std::llround(m_budgetMiB->value() * 1024.0 * 1024.0));
    p.bytesPerExpert = m_bytesPerExpert;
    p.positiveOnly = m_positiveOnly->isChecked();
    return p;
}

void PolicyPanel::onSettingChanged()
{
    if (m_live->isChecked())
        apply();
}

void PolicyPanel::apply()
{
    if (!m_model || !m_document || m_model->rowCount() == 0)
        return;
    const SelectionPolicy p = policy();
    try {
        p.check();
        const RoutingStats& stats = m_model->stats();
        ExpertSelection result = selectExperts(stats, p, m_model->reference());
        QString text;
        switch (p.kind) {
        case SelectionPolicy::Kind::TopKPerLayer: text = tr("Top-%1 per layer").arg(p.k); break;
        case SelectionPolicy::Kind::TopPPerLayer: text = tr("Top-p %1 per layer").arg(p.p, 0, 'f', 2); break;
        case SelectionPolicy::Kind::GlobalBudget: text = tr("Global budget"); break;
        }
        m_document->replaceSelection(result, text, 1 + static_cast<int>(p.kind));
        m_message->setVisible(false);
        m_note->setVisible(false);
    } catch (const Error& e) {
        m_message->setText(QString::fromStdString(e.what()));
        m_message->setVisible(true);
    }
}

} // namespace teft::ui
