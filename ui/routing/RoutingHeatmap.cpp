#include "ui/routing/RoutingHeatmap.h"

#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/SelectionDocument.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace teft::ui {

RoutingHeatmap::RoutingHeatmap(QWidget* parent) : QAbstractScrollArea(parent)
{
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    const QFontMetrics fm(font());
    m_labelWidth = fm.horizontalAdvance(QStringLiteral("0000")) + 12;
    m_headerHeight = fm.height() + 6;
}

void RoutingHeatmap::setModel(RoutingHeatmapModel* model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (m_model) {
        connect(m_model, &RoutingHeatmapModel::valuesChanged, this, &RoutingHeatmap::invalidateImage);
        connect(m_model, &QAbstractItemModel::modelReset, this, &RoutingHeatmap::invalidateImage);
        // Selection changes only touch the overlay, not the cached colours.
        connect(m_model, &QAbstractItemModel::dataChanged, viewport(), qOverload<>(&QWidget::update));
    }
    invalidateImage();
}

int RoutingHeatmap::rows() const { return m_model ? m_model->rowCount() : 0; }
int RoutingHeatmap::experts() const { return m_model ? m_model->columnCount() : 0; }

QRect RoutingHeatmap::cellArea() const
{
    const QRect r = viewport()->rect();
    return QRect(m_labelWidth, m_headerHeight, std::max(0, r.width() - m_labelWidth),
                 std::max(0, r.height() - m_headerHeight));
}

QRect RoutingHeatmap::cellRect(int row, int expert) const
{
    if (row < 0 || expert < 0 || row >= rows() || expert >= experts())
        return {};
    const QRect area = cellArea();
    return QRect(area.left() + expert * m_cellSize - horizontalScrollBar()->value(),
                 area.top() + row * m_cellHeight - verticalScrollBar()->value(), m_cellSize, m_cellHeight);
}

QPoint RoutingHeatmap::cellAt(const QPoint& pos) const
{
    const QRect area = cellArea();
    if (!area.contains(pos))
        return {-1, -1};
    const int x = pos.x() - area.left() + horizontalScrollBar()->value();
    const int y = pos.y() - area.top() + verticalScrollBar()->value();
    const int expert = x / m_cellSize;
    const int row = y / m_cellHeight;
    if (x < 0 || y < 0 || expert >= experts() || row >= rows())
        return {-1, -1};
    return {expert, row};
}

QSize RoutingHeatmap::sizeHint() const
{
    return {std::min(900, m_labelWidth + std::max(1, experts()) * m_cellSize + 4),
            std::min(600, m_headerHeight + std::max(1, rows()) * m_cellHeight + 4)};
}

QSize RoutingHeatmap::minimumSizeHint() const { return {m_labelWidth + 120, m_headerHeight + 80}; }

void RoutingHeatmap::setCellSize(int size) { setCellSizeAround(size, cellArea().center()); }

void RoutingHeatmap::setCellSizeAround(int size, const QPoint& anchor)
{
    size = std::clamp(size, MinCellSize, MaxCellSize);
    m_fitted = false;
    setCellGeometry(size, size, anchor);
}

void RoutingHeatmap::setCellGeometry(int width, int height, const QPoint& anchor)
{
    if (width == m_cellSize && height == m_cellHeight)
        return;
    const QRect area = cellArea();
    // Keep the content point under the anchor where it is.
    const double cx = (anchor.x() - area.left() + horizontalScrollBar()->value()) / double(m_cellSize);
    const double cy = (anchor.y() - area.top() + verticalScrollBar()->value()) / double(m_cellHeight);
    const bool widthChanged = width != m_cellSize;
    m_cellSize = width;
    m_cellHeight = height;
    updateScrollBars();
    horizontalScrollBar()->setValue(static_cast<int>(std::lround(cx * width - (anchor.x() - area.left()))));
    verticalScrollBar()->setValue(static_cast<int>(std::lround(cy * height - (anchor.y() - area.top()))));
    viewport()->update();
    if (widthChanged)
        Q_EMIT cellSizeChanged(m_cellSize);
}

void RoutingHeatmap::zoomIn() { setCellSize(std::max(m_cellSize + 1, static_cast<int>(std::ceil(m_cellSize * 1.25)))); }
void RoutingHeatmap::zoomOut()
{
    setCellSize(std::min(m_cellSize - 1, static_cast<int>(std::floor(m_cellSize / 1.25))));
}

void RoutingHeatmap::zoomToFit()
{
    if (rows() == 0 || experts() == 0)
        return;
    // Fill the view: as wide and as tall as it allows (cells need not be square), so a model of
    // few layers uses the whole height.
    // The view without scroll bars: the fitted cells need none.
    const QSize view = maximumViewportSize();
    const int areaWidth = std::max(0, view.width() - m_labelWidth);
    const int areaHeight = std::max(0, view.height() - m_headerHeight);
    const int width = std::clamp(areaWidth / experts(), MinCellSize, MaxCellSize);
    const int height = std::max(MinCellSize, areaHeight / rows());
    m_fitted = true;
    setCellGeometry(width, height, cellArea().topLeft());
}

void RoutingHeatmap::updateScrollBars()
{
    const QRect area = cellArea();
    const int w = experts() * m_cellSize;
    const int h = rows() * m_cellHeight;
    horizontalScrollBar()->setRange(0, std::max(0, w - area.width()));
    horizontalScrollBar()->setPageStep(std::max(1, area.width()));
    horizontalScrollBar()->setSingleStep(std::max(1, m_cellSize));
    verticalScrollBar()->setRange(0, std::max(0, h - area.height()));
    verticalScrollBar()->setPageStep(std::max(1, area.height()));
    verticalScrollBar()->setSingleStep(std::max(1, m_cellHeight));
}

void RoutingHeatmap::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
    if (m_fitted)
        zoomToFit(); // a fitted view stays fitted
}

void RoutingHeatmap::scrollContentsBy(int, int) { viewport()->update(); }

void RoutingHeatmap::changeEvent(QEvent* event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        const QFontMetrics fm(font());
        m_labelWidth = fm.horizontalAdvance(QStringLiteral("0000")) + 12;
        m_headerHeight = fm.height() + 6;
        updateScrollBars();
    }
    if (event->type() == QEvent::PaletteChange)
        m_scaledCell = 0; // the grid lines follow the palette
}

void RoutingHeatmap::invalidateImage()
{
    m_imageValid = false;
    m_scaledCell = 0;
    if (m_dragging)
        finishDrag(false);
    m_hovered = {-1, -1};
    updateScrollBars();
    viewport()->update();
}

void RoutingHeatmap::rebuildImage()
{
    m_imageValid = true;
    ++m_imageRebuilds;
    const int nr = rows();
    const int ne = experts();
    if (nr == 0 || ne == 0) {
        m_image = QImage();
        return;
    }
    m_scaledCell = 0;
    m_scale = HeatmapColourScale(m_model->minimum(), m_model->maximum(), m_model->isSigned());
    m_image = QImage(ne, nr, QImage::Format_RGB32);
    const std::vector<double>& values = m_model->values();
    for (int r = 0; r < nr; ++r) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(r));
        const double* v = values.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(ne);
        for (int e = 0; e < ne; ++e)
            line[e] = m_scale.colour(v[e]);
    }
}

bool RoutingHeatmap::ensureScaledImage()
{
    if (m_image.isNull())
        return false;
    if (m_scaledCell == m_cellSize && m_scaledCellHeight == m_cellHeight)
        return true;
    const qint64 pixels = qint64(m_image.width()) * m_cellSize * qint64(m_image.height()) * m_cellHeight;
    if (pixels > MaxScaledPixels) {
        m_scaled = QImage();
        return false;
    }
    ++m_scaledRebuilds;
    // Integer zoom: widen each row once, then copy it cell-size times (QImage::scaled is a
    // general resampler and far slower here). Grid lines, one pixel on the top and left edge of
    // every cell blended towards the Base colour, are drawn in the same pass.
    const int s = m_cellSize;
    const int sh = m_cellHeight;
    const bool grid = std::min(s, sh) >= 6;
    const QColor base = palette().color(QPalette::Base);
    const int alpha = std::min(s, sh) >= 12 ? 160 : 90;
    auto blend = [&](QRgb c) {
        return qRgb((qRed(c) * (255 - alpha) + base.red() * alpha) / 255,
                    (qGreen(c) * (255 - alpha) + base.green() * alpha) / 255,
                    (qBlue(c) * (255 - alpha) + base.blue() * alpha) / 255);
    };
    m_scaled = QImage(m_image.width() * s, m_image.height() * sh, QImage::Format_RGB32);
    const std::size_t width = static_cast<std::size_t>(m_scaled.width());
    std::vector<QRgb> line(width), topLine(width);
    for (int r = 0; r < m_image.height(); ++r) {
        const auto* src = reinterpret_cast<const QRgb*>(m_image.constScanLine(r));
        for (int c = 0; c < m_image.width(); ++c) {
            QRgb* out = line.data() + static_cast<std::size_t>(c) * s;
            std::fill_n(out, s, src[c]);
            if (grid) {
                const QRgb g = blend(src[c]);
                out[0] = g;
                std::fill_n(topLine.data() + static_cast<std::size_t>(c) * s, s, g);
            }
        }
        for (int k = 0; k < sh; ++k)
            std::memcpy(m_scaled.scanLine(r * sh + k), (grid && k == 0 ? topLine : line).data(), width * sizeof(QRgb));
    }
    m_scaledCell = m_cellSize;
    m_scaledCellHeight = m_cellHeight;
    return true;
}

void RoutingHeatmap::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const QPalette& pal = palette();
    p.fillRect(viewport()->rect(), pal.color(QPalette::Base));
    if (!m_model || rows() == 0 || experts() == 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(viewport()->rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No routing statistics yet: run expert identification or open a statistics file."));
        return;
    }
    if (!m_imageValid)
        rebuildImage();

    const QRect area = cellArea();
    const int sx = horizontalScrollBar()->value();
    const int sy = verticalScrollBar()->value();
    const int c0 = sx / m_cellSize;
    const int r0 = sy / m_cellHeight;
    const int c1 = std::min(experts(), (sx + area.width()) / m_cellSize + 1);
    const int r1 = std::min(rows(), (sy + area.height()) / m_cellHeight + 1);

    p.save();
    p.setClipRect(area);
    // Only the visible cells: a source rectangle of the one-pixel-per-cell image, scaled.
    const QRect target(area.left() + c0 * m_cellSize - sx, area.top() + r0 * m_cellHeight - sy, (c1 - c0) * m_cellSize,
                       (r1 - r0) * m_cellHeight);
    if (ensureScaledImage()) {
        // An unscaled copy of the visible part of the zoomed image.
        p.drawImage(target.topLeft(), m_scaled,
                    QRect(c0 * m_cellSize, r0 * m_cellHeight, target.width(), target.height()));
    } else {
        p.drawImage(target, m_image, QRect(c0, r0, c1 - c0, r1 - r0));
    }

    if (std::min(m_cellSize, m_cellHeight) >= 6 && (m_scaledCell != m_cellSize || m_scaledCellHeight != m_cellHeight)) {
        QColor grid = pal.color(QPalette::Base);
        grid.setAlpha(std::min(m_cellSize, m_cellHeight) >= 12 ? 160 : 90);
        p.setPen(QPen(grid, 0));
        for (int c = c0; c <= c1; ++c)
            p.drawLine(target.left() + (c - c0) * m_cellSize, target.top(), target.left() + (c - c0) * m_cellSize,
                       target.bottom());
        for (int r = r0; r <= r1; ++r)
            p.drawLine(target.left(), target.top() + (r - r0) * m_cellHeight, target.right(),
                       target.top() + (r - r0) * m_cellHeight);
    }

    // Selection overlay (with the drag in progress shown as it would end).
    const int ne = experts();
    const bool bigCells = std::min(m_cellSize, m_cellHeight) >= 6;
    const QColor selectedColour(255, 255, 255);
    const QColor outline(0, 0, 0);
    for (int r = r0; r < r1; ++r) {
        for (int c = c0; c < c1; ++c) {
            bool selected = m_model->isSelected(r, c);
            if (m_dragging && m_dragMask[r * ne + c])
                selected = m_dragState;
            if (!selected)
                continue;
            const QRect cell(target.left() + (c - c0) * m_cellSize, target.top() + (r - r0) * m_cellHeight, m_cellSize,
                             m_cellHeight);
            if (bigCells) {
                // Outlines as filled rectangles: much cheaper than stroking with a pen.
                const int x = cell.x(), y = cell.y(), s = m_cellSize, h = m_cellHeight;
                p.fillRect(QRect(x, y, s, 1), outline);
                p.fillRect(QRect(x, y + h - 1, s, 1), outline);
                p.fillRect(QRect(x, y, 1, h), outline);
                p.fillRect(QRect(x + s - 1, y, 1, h), outline);
                p.fillRect(QRect(x + 1, y + 1, s - 2, 2), selectedColour);
                p.fillRect(QRect(x + 1, y + h - 3, s - 2, 2), selectedColour);
                p.fillRect(QRect(x + 1, y + 1, 2, h - 2), selectedColour);
                p.fillRect(QRect(x + s - 3, y + 1, 2, h - 2), selectedColour);
            } else {
                p.fillRect(cell, selectedColour);
            }
        }
    }
    if (m_hovered.x() >= 0) {
        const QRect cell = cellRect(m_hovered.y(), m_hovered.x());
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(cell.adjusted(-1, -1, 0, 0));
    }
    p.restore();

    paintLabels(p, r0, r1, c0, c1);
}

void RoutingHeatmap::paintLabels(QPainter& p, int r0, int r1, int c0, int c1)
{
    const QPalette& pal = palette();
    const QRect area = cellArea();
    const int sx = horizontalScrollBar()->value();
    const int sy = verticalScrollBar()->value();
    p.fillRect(QRect(0, 0, viewport()->width(), m_headerHeight), pal.color(QPalette::Window));
    p.fillRect(QRect(0, 0, m_labelWidth, viewport()->height()), pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::WindowText));
    const QFontMetrics fm(font());

    // Label every n-th column / row so that labels never overlap.
    const int labelW = fm.horizontalAdvance(QStringLiteral("000")) + 6;
    int stepC = 1;
    while (stepC * m_cellSize < labelW)
        stepC *= 2;
    int stepR = 1;
    while (stepR * m_cellHeight < fm.height())
        stepR *= 2;

    p.save();
    p.setClipRect(QRect(area.left(), 0, area.width(), m_headerHeight));
    for (int c = (c0 / stepC) * stepC; c < c1; c += stepC) {
        const int x = area.left() + c * m_cellSize - sx;
        const QRect box(x + m_cellSize / 2 - labelW / 2, 0, labelW, m_headerHeight);
        p.drawText(box, Qt::AlignCenter, m_model->headerData(c, Qt::Horizontal).toString());
    }
    p.restore();
    p.save();
    // Half a line above the cells too, so that the first row's label is not cut at small zoom.
    p.setClipRect(QRect(0, area.top() - fm.height() / 2, m_labelWidth, area.height() + fm.height() / 2));
    for (int r = (r0 / stepR) * stepR; r < r1; r += stepR) {
        const int y = area.top() + r * m_cellHeight - sy;
        const QRect box(0, y + m_cellHeight / 2 - fm.height() / 2, m_labelWidth - 6, fm.height());
        p.drawText(box, Qt::AlignRight | Qt::AlignVCenter, m_model->headerData(r, Qt::Vertical).toString());
    }
    p.restore();
    p.setPen(pal.color(QPalette::Mid));
    p.drawText(QRect(0, 0, m_labelWidth, m_headerHeight), Qt::AlignCenter, tr("L\\E"));
}

void RoutingHeatmap::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !m_model || !m_model->selectionDocument()) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const QPoint cell = cellAt(event->position().toPoint());
    if (cell.x() < 0)
        return;
    m_dragging = true;
    m_dragState = !m_model->isSelected(cell.y(), cell.x());
    m_dragCells.clear();
    m_dragMask = QVector<char>(rows() * experts(), 0);
    m_lastDragCell = cell;
    addDragCell(cell);
    viewport()->update();
    event->accept();
}

void RoutingHeatmap::addDragCell(const QPoint& cell)
{
    const int i = cell.y() * experts() + cell.x();
    if (m_dragMask[i])
        return;
    m_dragMask[i] = 1;
    m_dragCells.push_back(cell);
}

void RoutingHeatmap::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    const QPoint cell = cellAt(pos);
    if (m_dragging) {
        if (cell.x() >= 0 && cell != m_lastDragCell) {
            // Every cell on the line from the last one, so that a fast drag leaves no gaps.
            const QPoint d = cell - m_lastDragCell;
            const int steps = std::max(std::abs(d.x()), std::abs(d.y()));
            for (int s = 1; s <= steps; ++s) {
                addDragCell(QPoint(m_lastDragCell.x() + static_cast<int>(std::lround(d.x() * double(s) / steps)),
                                   m_lastDragCell.y() + static_cast<int>(std::lround(d.y() * double(s) / steps))));
            }
            m_lastDragCell = cell;
            viewport()->update();
        }
        event->accept();
    }
    setHovered(cell);
}

void RoutingHeatmap::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_dragging && event->button() == Qt::LeftButton) {
        finishDrag(true);
        event->accept();
        return;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

void RoutingHeatmap::finishDrag(bool commit)
{
    m_dragging = false;
    const QVector<QPoint> cells = std::move(m_dragCells);
    m_dragCells.clear();
    m_dragMask.clear();
    viewport()->update();
    SelectionDocument* doc = m_model ? m_model->selectionDocument() : nullptr;
    if (!commit || !doc || cells.isEmpty())
        return;
    if (cells.size() == 1)
        doc->toggle(cells.front().y(), cells.front().x());
    else
        doc->setCells(cells, m_dragState);
}

void RoutingHeatmap::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape && m_dragging) {
        finishDrag(false);
        return;
    }
    if (event->modifiers() & Qt::ControlModifier) {
        if (event->key() == Qt::Key_Plus || event->key() == Qt::Key_Equal) {
            zoomIn();
            return;
        }
        if (event->key() == Qt::Key_Minus) {
            zoomOut();
            return;
        }
        if (event->key() == Qt::Key_0) {
            zoomToFit();
            return;
        }
    }
    QAbstractScrollArea::keyPressEvent(event);
}

void RoutingHeatmap::wheelEvent(QWheelEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const int delta = event->angleDelta().y();
        if (delta != 0) {
            const QPoint anchor = event->position().toPoint();
            const int size = delta > 0 ? std::max(m_cellSize + 1, static_cast<int>(std::ceil(m_cellSize * 1.25)))
                                       : std::min(m_cellSize - 1, static_cast<int>(std::floor(m_cellSize / 1.25)));
            setCellSizeAround(size, anchor);
        }
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void RoutingHeatmap::setHovered(const QPoint& cell)
{
    if (cell == m_hovered)
        return;
    m_hovered = cell;
    viewport()->update();
    Q_EMIT hoveredCellChanged(cell.y(), cell.x());
}

bool RoutingHeatmap::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_model) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint cell = cellAt(help->pos());
        if (cell.x() >= 0) {
            QToolTip::showText(help->globalPos(),
                               m_model->data(m_model->index(cell.y(), cell.x()), Qt::ToolTipRole).toString(),
                               viewport(), cellRect(cell.y(), cell.x()));
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    if (event->type() == QEvent::Leave)
        setHovered({-1, -1});
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace teft::ui
