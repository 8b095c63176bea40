#pragma once

#include "ui/routing/HeatmapColourScale.h"

#include <QAbstractScrollArea>
#include <QImage>
#include <QPointer>
#include <QVector>

namespace teft::ui {

class RoutingHeatmapModel;

// Layers × experts heatmap painted from a RoutingHeatmapModel. The colours live in a QImage of
// one pixel per cell, rebuilt only when the values or the metric change; from it a second image
// at the current zoom, grid lines included, is made when the zoom changes (up to
// MaxScaledPixels; beyond that the visible part of the small image is scaled while painting).
// A repaint copies the visible part of the zoomed image and draws the selection overlay for
// visible cells only, so its cost depends on the viewport, not on 61 × 256 cells.
// Click toggles an expert; press and drag paints the state opposite to the first cell's along
// the path; release commits one undoable command to the model's SelectionDocument.
// Ctrl+wheel zooms around the pointer; hovering shows the exact numbers.
class RoutingHeatmap : public QAbstractScrollArea {
    Q_OBJECT
public:
    static constexpr int MinCellSize = 2;
    static constexpr int MaxCellSize = 64;
    static constexpr qint64 MaxScaledPixels = 24LL * 1024 * 1024; // 96 MiB of RGB32

    explicit RoutingHeatmap(QWidget* parent = nullptr);

    void setModel(RoutingHeatmapModel* model);
    RoutingHeatmapModel* model() const { return m_model; }

    // Cell width (the zoom level) and height: square cells when zooming, stretched to fill the
    // view after zoomToFit() (which the view keeps while it is resized, until the next zoom).
    int cellSize() const { return m_cellSize; }
    int cellHeight() const { return m_cellHeight; }
    bool isFitted() const { return m_fitted; }
    const HeatmapColourScale& colourScale() const { return m_scale; }

    // Viewport geometry of a cell (for tests and tooltips); empty when out of the model.
    QRect cellRect(int row, int expert) const;
    // Cell under a viewport position as QPoint(expert, row); (-1, -1) outside the cells.
    // Cells are QPoint(x = expert, y = row) throughout the routing view.
    QPoint cellAt(const QPoint& viewportPos) const;
    // Rebuilds of the cached colour image so far (the benchmark and tests read it).
    int imageRebuilds() const { return m_imageRebuilds; }
    int scaledRebuilds() const { return m_scaledRebuilds; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void setCellSize(int size);
    void zoomIn();
    void zoomOut();
    void zoomToFit();

Q_SIGNALS:
    void cellSizeChanged(int size);
    void hoveredCellChanged(int row, int expert); // -1, -1 when leaving

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void changeEvent(QEvent* event) override;

private:
    int rows() const;
    int experts() const;
    QRect cellArea() const; // viewport rect where cells are drawn (below/right of the labels)
    void setCellSizeAround(int size, const QPoint& anchor);
    void setCellGeometry(int width, int height, const QPoint& anchor);
    void updateScrollBars();
    void rebuildImage();
    bool ensureScaledImage(); // false when the zoomed image would be too large
    void invalidateImage();
    void addDragCell(const QPoint& cell);
    void finishDrag(bool commit);
    void setHovered(const QPoint& cell);
    void paintLabels(QPainter& p, int r0, int r1, int c0, int c1);

    QPointer<RoutingHeatmapModel> m_model;
    HeatmapColourScale m_scale;
    QImage m_image;
    bool m_imageValid = false;
    int m_imageRebuilds = 0;
    QImage m_scaled;      // m_image at m_scaledCell pixels per cell, with grid lines
    int m_scaledCell = 0; // 0: m_scaled is stale
    int m_scaledRebuilds = 0;
    int m_cellSize = 12;   // cell width
    int m_cellHeight = 12; // cell height
    int m_scaledCellHeight = 0;
    bool m_fitted = false;
    int m_labelWidth = 40;
    int m_headerHeight = 20;

    bool m_dragging = false;
    bool m_dragState = true;
    QPoint m_lastDragCell{-1, -1};
    QVector<QPoint> m_dragCells; // (expert, row)
    QVector<char> m_dragMask;    // rows × experts, 1 where m_dragCells holds the cell
    QPoint m_hovered{-1, -1};    // (expert, row)
};

} // namespace teft::ui
