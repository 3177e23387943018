#include "ui/labs/toy2d/toy2d_compare.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

#include "ui/views/chart_panel.h"
#include "ui/views/form_helpers.h"

namespace genlab::ui {

using core::toy2d::ComparisonRow;

namespace {
const QColor kModelColors[] = {QColor(31, 119, 180), QColor(214, 39, 40)};
const QColor kLossColors[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                              QColor(148, 103, 189)};

enum Col { Model, Iterations, Nll, Mmd, MmdBase, SamplesPerSec, TrainTime, Cols };

QString num(double v, int decimals) { return form::metric(v, decimals); }
QString sci(double v) { return form::metric(v, -1); }

QString grouped(double v) {
  if (!std::isfinite(v) || v <= 0) return QStringLiteral("–");
  return QLocale().toString(qlonglong(std::llround(v)));
}
}  // namespace

Toy2dComparison::Toy2dComparison(QWidget* parent) : QWidget(parent) {
  auto* h = new QHBoxLayout(this);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(8);
  auto* left = new QWidget;
  auto* v = new QVBoxLayout(left);
  v->setContentsMargins(0, 0, 0, 0);
  auto* head = new QHBoxLayout;
  auto* title = new QLabel(tr("Comparison on held-out data"));
  QFont bold = title->font();
  bold.setBold(true);
  bold.setPointSizeF(bold.pointSizeF() * 1.1);
  title->setFont(bold);
  m_export = new QPushButton(tr("Export CSV…"));
  m_export->setToolTip(tr("Save the comparison table as CSV"));
  head->addWidget(title);
  head->addStretch(1);
  head->addWidget(m_export);
  v->addLayout(head);
  m_table = new QTableWidget(0, Cols);
  m_table->setObjectName("toy2dComparisonTable");
  m_table->setHorizontalHeaderLabels({tr("Model"), tr("Iter-\nations"), tr("Held-out\nNLL"),
                                      tr("MMD²"), tr("Gaussian\nMMD²"), tr("Samples\n/s"),
                                      tr("Train\ntime (s)")});
  const QString tips[] = {
      tr("The model (and the Gaussian fitted to the training data, the baseline)"),
      tr("Training iterations so far"),
      tr("Held-out negative log-likelihood in nats per point (lower is better): exact for the "
         "flow, an importance-weighted bound for the VAE; GANs and diffusion have none here"),
      tr("Squared maximum mean discrepancy between model samples and held-out points "
         "(multi-scale Gaussian kernel, unbiased; lower is better, ~0 is indistinguishable)"),
      tr("The same MMD² for the Gaussian baseline: a model should get well below it"),
      tr("Samples the model generates per second"),
      tr("Seconds spent training (evaluations excluded)")};
  for (int c = 0; c < Cols; ++c) m_table->horizontalHeaderItem(c)->setToolTip(tips[c]);
  m_table->verticalHeader()->setVisible(false);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setSelectionMode(QAbstractItemView::NoSelection);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(Model, QHeaderView::Stretch);
  m_table->setToolTip(tr("Filled after each held-out evaluation (every 5 s while training when "
                         "live evaluation is on, and at the end)"));
  v->addWidget(m_table, 1);
  h->addWidget(left, 6);
  m_chartBox = new QWidget;
  auto* charts = new QHBoxLayout(m_chartBox);
  charts->setContentsMargins(0, 0, 0, 0);
  h->addWidget(m_chartBox, 9);
  makeCharts({{}, {}});
  connect(m_export, &QPushButton::clicked, this, &Toy2dComparison::exportCsvClicked);
}

void Toy2dComparison::makeCharts(const std::vector<std::vector<std::string>>& lossNames) {
  // Fresh charts: ChartPanel cannot drop series, and the models' losses differ.
  delete m_lossA;
  delete m_lossB;
  delete m_mmd;
  m_lossA = new ChartPanel(tr("Losses A"));
  m_lossB = new ChartPanel(tr("Losses B"));
  m_mmd = new ChartPanel(tr("Held-out MMD² (lower is better)"));
  for (ChartPanel* c : {m_lossA, m_lossB, m_mmd}) {
    c->setXTitle(tr("iteration"));
    m_chartBox->layout()->addWidget(c);
  }
  m_lossA->setToolTip(tr("Model A's training losses (averaged between points)"));
  m_lossB->setToolTip(tr("Model B's training losses"));
  m_mmd->setToolTip(tr("MMD² of each model at every held-out evaluation, and of the Gaussian baseline"));
  // Series made up front: creating one during training stalls the GUI.
  for (std::size_t i = 0; i < lossNames.size() && i < 2; ++i) {
    ChartPanel* chart = i == 0 ? m_lossA : m_lossB;
    for (std::size_t k = 0; k < lossNames[i].size(); ++k)
      chart->setSeriesStyle(QString::fromStdString(lossNames[i][k]), kLossColors[k % 4]);
    m_mmd->setSeriesStyle(i == 0 ? QStringLiteral("A") : QStringLiteral("B"), kModelColors[i], true);
  }
  m_mmd->setSeriesStyle(tr("Gaussian"), QColor(120, 120, 120));
  m_lossB->setVisible(lossNames.size() > 1);
}

void Toy2dComparison::reset(const std::vector<std::string>& labels,
                            const std::vector<std::vector<std::string>>& lossNames,
                            const std::string& data, const core::toy2d::Baseline& baseline) {
  m_rows.clear();
  for (const std::string& l : labels) {
    ComparisonRow r;
    r.model = l;
    r.data = data;
    m_rows.push_back(r);
  }
  m_baseline = ComparisonRow{};
  m_baseline.model = "gaussian baseline";
  m_baseline.data = data;
  m_baseline.eval.mmd = baseline.mmd;
  m_baseline.eval.mmdBaseline = baseline.mmd;
  m_baseline.eval.nll = baseline.nll;
  m_baseline.eval.nllBaseline = baseline.nll;
  m_baseline.eval.nllKind = "exact";
  m_baseline.eval.valid = true;
  m_hasBaseline = true;
  makeCharts(lossNames);
  m_chartClock.invalidate();
  refreshTable();
}

void Toy2dComparison::clear() {
  m_rows.clear();
  m_hasBaseline = false;
  for (ChartPanel* c : {m_lossA, m_lossB, m_mmd}) c->clearPoints();
  refreshTable();
}

void Toy2dComparison::setProgress(const core::toy2d::Toy2dProgress& p, bool force) {
  for (std::size_t i = 0; i < p.models.size() && i < m_rows.size(); ++i) {
    const auto& m = p.models[i];
    ComparisonRow& r = m_rows[i];
    r.model = m.label;
    r.iterations = m.iteration;
    r.trainSeconds = m.trainSeconds;
    r.iterationsPerSecond = m.iterationsPerSecond;
    if (!m.evaluations.empty()) r.eval = m.evaluations.back();
  }
  refreshTable();
  // Qt Charts re-lays out on every change: a few updates a second are plenty.
  if (force || !m_chartClock.isValid() || m_chartClock.elapsed() >= 1000) {
    m_chartClock.start();
    updateCharts(p);
  }
}

void Toy2dComparison::setResult(const std::vector<ComparisonRow>& rows) {
  for (std::size_t i = 0; i < rows.size() && i < m_rows.size(); ++i) m_rows[i] = rows[i];
  refreshTable();
}

std::vector<ComparisonRow> Toy2dComparison::rows() const {
  std::vector<ComparisonRow> out = m_rows;
  if (m_hasBaseline) out.push_back(m_baseline);
  return out;
}

bool Toy2dComparison::hasEvaluation() const {
  for (const ComparisonRow& r : m_rows)
    if (r.eval.valid) return true;
  return false;
}

void Toy2dComparison::refreshTable() {
  const auto all = rows();
  m_table->setRowCount(int(all.size()));
  for (int i = 0; i < int(all.size()); ++i) {
    const ComparisonRow& r = all[i];
    const bool base = m_hasBaseline && i == int(all.size()) - 1;
    const bool evaluated = r.eval.valid;
    const QString label = base ? tr("Gaussian baseline")
                               : QStringLiteral("%1 · %2").arg(i == 0 ? "A" : "B", QString::fromStdString(r.model));
    QString nll = evaluated ? num(r.eval.nll, 3) : QStringLiteral("…");
    if (evaluated && r.eval.nllKind == "bound" && std::isfinite(r.eval.nll)) nll = QStringLiteral("≤ ") + nll;
    const QString cells[Cols] = {label,
                                 base ? QStringLiteral("–") : QLocale().toString(qlonglong(r.iterations)),
                                 nll,
                                 evaluated ? sci(r.eval.mmd) : QStringLiteral("…"),
                                 evaluated || base ? sci(base ? r.eval.mmd : r.eval.mmdBaseline) : QStringLiteral("…"),
                                 base ? QStringLiteral("–") : grouped(r.eval.samplesPerSecond),
                                 base ? QStringLiteral("–") : num(r.trainSeconds, 1)};
    for (int c = 0; c < Cols; ++c) {
      auto* item = m_table->item(i, c);
      if (!item) {
        item = new QTableWidgetItem;
        m_table->setItem(i, c, item);
      }
      item->setText(cells[c]);
      item->setTextAlignment(c == Model ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
      if (c == Model && !base) item->setForeground(kModelColors[i % 2]);
    }
  }
}

void Toy2dComparison::updateCharts(const core::toy2d::Toy2dProgress& p) {
  for (std::size_t i = 0; i < p.models.size() && i < 2; ++i) {
    ChartPanel* chart = i == 0 ? m_lossA : m_lossB;
    const auto& m = p.models[i];
    for (std::size_t k = 0; k < m.losses.size(); ++k) {
      const auto& curve = m.losses[k];
      QList<QPointF> pts;
      pts.reserve(int(curve.steps.size()));
      for (std::size_t j = 0; j < curve.steps.size(); ++j)
        if (std::isfinite(curve.values[j])) pts.append(QPointF(curve.steps[j], curve.values[j]));
      chart->replacePoints(QString::fromStdString(curve.name), pts);
    }
    QList<QPointF> mmd;
    for (const auto& e : m.evaluations)
      if (std::isfinite(e.mmd)) mmd.append(QPointF(double(e.step), e.mmd));
    m_mmd->replacePoints(i == 0 ? QStringLiteral("A") : QStringLiteral("B"), mmd);
  }
  if (m_hasBaseline && !p.models.empty()) {
    double last = 1;
    for (const auto& m : p.models) last = std::max(last, double(m.iteration));
    m_mmd->replacePoints(tr("Gaussian"), {QPointF(0, m_baseline.eval.mmd), QPointF(last, m_baseline.eval.mmd)});
  }
}

}  // namespace genlab::ui
