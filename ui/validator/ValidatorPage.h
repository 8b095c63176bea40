#pragma once

#include "ui/validator/AggregationPreview.h"
#include "ui/validator/SubmissionReview.h"

#include <QHash>
#include <QStringList>
#include <QWidget>
#include <vector>

class QBarCategoryAxis;
class QChart;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QSortFilterProxyModel;
class QGroupBox;
class QSpinBox;
class QTableView;
class QTableWidget;
class QValueAxis;
class QVBoxLayout;

namespace teft::ui {

class SubmissionTableModel;

// Validator review of one round: the sortable submissions table, a bar chart of s_i (accepted
// and refused in two colours), the aggregation rule, accept/reject overrides, the outer step
// and the validation loss per round.
class ValidatorPage : public QWidget {
    Q_OBJECT
public:
    // How a round is scored and stepped, as the page's controls show it.
    struct RoundSettings {
        AggregationPreview::Rule rule = AggregationPreview::Rule::TopK;
        int k = 2;
        int evalBatches = 16;  // held-out batches every submission is scored on (the engine's default)
        int evalBatchSize = 8; // rows per batch
        double outerLr = 0.7;  // of the Nesterov outer step
        double momentum = 0.9;
    };

    // One submission the project's round can score (the "Submissions" list): a miner run's or an
    // imported one. The engine controller fills the list; the page only shows and ticks it.
    struct Candidate {
        QString name;  // the run's name, or the folder's name of an import
        bool imported = false;
        QString state; // the run's state ("finished", "running", …); empty for an import
        QString path;  // the submission folder
        bool exists = true;          // false: shown as missing (moved, deleted, not written yet), not tickable
        int round = -1;              // the round its manifest names; -1 unknown
        bool checkedByDefault = false;
    };

    explicit ValidatorPage(QWidget* parent = nullptr);

    RoundSettings roundSettings() const;

    void setRound(int round, std::vector<SubmissionReview> submissions);
    // Validation loss of Φ after each outer step so far (round → loss).
    void setRoundHistory(const std::vector<std::pair<int, double>>& history);

    SubmissionTableModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    QChart* scoreChart() const { return m_scoreChart; }
    QLineSeries* roundSeries() const { return m_roundSeries; }
    QPushButton* outerStepButton() const { return m_outerStep; }
    QPushButton* openFolderButton() const { return m_openFolder; }
    QPushButton* closeNetworkRoundButton() const { return m_closeNetworkRound; }
    // Round settings (shown with the engine): held-out batches × rows, outer lr and momentum.
    QSpinBox* evalBatchesBox() const { return m_evalBatches; }
    QSpinBox* evalBatchSizeBox() const { return m_evalBatchSize; }
    QDoubleSpinBox* outerLrBox() const { return m_outerLr; }
    QDoubleSpinBox* momentumBox() const { return m_momentum; }
    QComboBox* ruleBox() const { return m_rule; }
    QSpinBox* kBox() const { return m_k; }
    int round() const { return m_round; }

    // The submissions list. Ticks the user changed are kept across calls by path unless
    // `keepChecks` is false (another project); new rows start as checkedByDefault says.
    void setCandidates(const std::vector<Candidate>& candidates, bool keepChecks = true);
    const std::vector<Candidate>& candidates() const { return m_candidates; }
    // The paths of the ticked candidates, in list order.
    QStringList checkedCandidates() const;
    void setCandidateChecked(const QString& path, bool checked);
    QTableWidget* candidateTable() const { return m_candidateTable; }
    QGroupBox* candidateBox() const { return m_candidateBox; }
    QLabel* candidateHint() const { return m_candidateHint; }
    QPushButton* addSubmissionButton() const { return m_addSubmission; }
    QPushButton* addFolderButton() const { return m_addFolder; }
    QPushButton* removeImportButton() const { return m_removeImport; }
    QPushButton* scoreSelectedButton() const { return m_scoreSelected; }
    // Emits removeImportsRequested() for the selected imported rows (never deletes a file).
    void removeSelectedImports();
    // Emits scoreSubmissionsRequested() with the ticked candidates.
    void scoreChecked();

    // For an attached engine with a project (see ui/engine/ValidatorController): shows the "Open
    // submissions folder…" button, which emits submissionsFolderRequested(), and enables the
    // outer step. Without one (the default) both are unavailable and the page says what to do.
    void setSubmissionsFolderAvailable(bool available);
    // Adds a widget (a progress strip) below the controls.
    void addStatusWidget(QWidget* widget);
    // While the engine works: the folder, override and outer-step controls are disabled.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }

public Q_SLOTS:
    void acceptSelected();
    void rejectSelected();
    void clearOverrides();
    void runOuterStep();

Q_SIGNALS:
    // The user asked for the outer step with these aggregation weights (miner → weight).
    void outerStepRequested(int round, const std::vector<std::pair<QString, double>>& weights);
    // The user chose a folder of submissions to verify and score.
    void submissionsFolderRequested(const QString& dir);
    // The "Submissions" list: import submission folders, import each submission in a folder,
    // forget imports, score exactly these submissions; refresh the list (the page was shown).
    void importSubmissionsRequested(const QStringList& paths);
    void importFolderRequested(const QString& dir);
    void removeImportsRequested(const QStringList& paths);
    void scoreSubmissionsRequested(const QStringList& paths);
    void candidatesRefreshRequested();
    // Close the TEFT network's open round from its store and publish the result (the Network page
    // does it, with this project's model, validator state and held-out data).
    void closeNetworkRoundRequested();

protected:
    void changeEvent(QEvent* event) override; // the charts follow the palette
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override; // the score chart's resizes
    void showEvent(QShowEvent* event) override; // asks for a fresh submissions list

private:
    void updateAggregation();
    void updateScoreChart();
    void refreshBarLabels();
    void followLocale(); // the charts' numbers in the page's locale
    bool m_refreshingLabels = false;
    void updateSummary();
    std::vector<int> selectedSourceRows() const;
    void updateCandidateButtons();

public:
    // The s_i chart's category labels: the miners' names cut in the middle to a bar's width,
    // numbered when two would read the same.
    QStringList barLabels() const;

private:

    SubmissionTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QComboBox* m_rule;
    QSpinBox* m_k;
    QLabel* m_title;
    QLabel* m_summary;
    QPushButton* m_outerStep;
    QPushButton* m_openFolder;
    QPushButton* m_closeNetworkRound;
    QWidget* m_roundSettings;
    QSpinBox* m_evalBatches;
    QSpinBox* m_evalBatchSize;
    QDoubleSpinBox* m_outerLr;
    QDoubleSpinBox* m_momentum;
    QWidget* m_reviewControls;
    QVBoxLayout* m_layout;
    QGroupBox* m_candidateBox;
    QLabel* m_candidateHint;
    QTableWidget* m_candidateTable;
    QPushButton* m_addSubmission;
    QPushButton* m_addFolder;
    QPushButton* m_removeImport;
    QPushButton* m_scoreSelected;
    std::vector<Candidate> m_candidates;
    QHash<QString, bool> m_checked; // path → ticked, as the user left it
    bool m_fillingCandidates = false;
    bool m_busy = false;
    bool m_engineAvailable = false;
    QChart* m_scoreChart;
    QBarCategoryAxis* m_scoreX = nullptr; // made by the first updateScoreChart()
    QValueAxis* m_scoreY = nullptr;
    QChartView* m_scoreView;
    QChart* m_roundChart;
    QLineSeries* m_roundSeries;
    QValueAxis* m_roundX;
    QValueAxis* m_roundY;
    int m_round = 0;
    std::vector<std::pair<int, double>> m_history;
};

} // namespace teft::ui
