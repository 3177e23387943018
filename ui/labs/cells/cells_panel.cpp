#include "ui/labs/cells/cells_panel.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QCursor>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFileDialog>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "ui/views/form_helpers.h"
#include "ui/views/latent_map_view.h"

namespace genlab::ui {

using namespace core::cells;

namespace {
QColor category(int i) {
  static const QColor tab10[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                 QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                 QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                 QColor(23, 190, 207)};
  return i < 0 ? QColor(200, 200, 200) : tab10[i % 10];
}
QString fmt(double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("—"); }
// Viridis-like ramp, t in [0, 1].
QRgb ramp(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const double a[3] = {68, 1, 84}, m[3] = {33, 145, 140}, b[3] = {253, 231, 37};
  double c[3];
  for (int i = 0; i < 3; ++i)
    c[i] = t < 0.5 ? a[i] + (m[i] - a[i]) * 2 * t : m[i] + (b[i] - m[i]) * (2 * t - 1);
  return qRgb(int(c[0]), int(c[1]), int(c[2]));
}
}  // namespace

LabPanel* labs::make_cells(EngineBridge* bridge, QWidget* parent) {
  return new CellsPanel(bridge, parent);
}

CellsPanel::CellsPanel(EngineBridge* bridge, QWidget* parent)
    : LabPanel(QStringLiteral("cells"), parent), m_controller(new CellsController(bridge, this)) {
  layoutControlsAndCentre(buildControls(), buildCentre());
  connect(m_controller, &CellsController::opened, this,
          [this](const QString& s, const QStringList& steps) {
            m_summary = s;
            m_summaryLabel->setText(s);
            m_steps->setText(QStringLiteral("• ") + steps.join(QStringLiteral("\n• ")));
            m_map->clearSelections();
            m_table->setRowCount(0);
            m_banner->hide();
            m_selectionScore->hide();
            if (auto session = m_controller->session()) {
              QStringList genes;
              for (const auto& g : session->data().geneNames) genes << QString::fromStdString(g);
              auto* c = new QCompleter(genes, m_gene);
              c->setCaseSensitivity(Qt::CaseInsensitive);
              c->setFilterMode(Qt::MatchContains);
              m_gene->setCompleter(c);
            }
            Q_EMIT dataChanged();
          });
  connect(m_controller, &CellsController::mapUpdated, this, [this](const CellMapPtr& m) {
    const bool first = !m_lastMap || m_lastMap->xy.size() != m->xy.size();
    m_lastMap = m;
    m_map->setPoints(m->xy, m->type);
    if (first) m_map->fit();
    m_map->setCaption(tr("%1 · %2 cells · epoch %3")
                          .arg(QString::fromStdString(m->space))
                          .arg(m->xy.size() / 2)
                          .arg(m->epochs, 0, 'f', 1));
    recolour();
  });
  connect(m_controller, &CellsController::progressed, this, [this](const CellsProgressPtr& p) {
    m_progress->setMaximum(1000);
    m_progress->setValue(p->totalSteps > 0 ? int(1000.0 * p->step / p->totalSteps) : 1000);
    if (!p->curve.empty())
      m_progress->setFormat(tr("epoch %1 / %2 · loss %3 · %4 cells/s")
                                .arg(p->epoch, 0, 'f', 1)
                                .arg(p->epochs)
                                .arg(p->curve.back().loss, 0, 'f', 1)
                                .arg(p->cellsPerSecond, 0, 'f', 0));
  });
  connect(m_controller, &CellsController::finished, this, &CellsPanel::onEvaluated);
  connect(m_controller, &CellsController::geneReady, this, [this](const GeneValuesPtr& g) {
    m_geneValues = g;
    recolour();
  });
  connect(m_controller, &CellsController::predicted, this, &CellsPanel::onPredicted);
  connect(m_controller, &CellsController::busyChanged, this, [this](bool busy) {
    m_train->setEnabled(!busy);
    m_stop->setEnabled(busy);
    if (!busy && m_progress->value() < m_progress->maximum()) m_progress->setFormat(tr("stopped"));
  });
  connect(m_controller, &CellsController::errorOccurred, this,
          [this](const QString& what, const QString& message) {
            openErrorBox(what, message, QStringLiteral("cellsError"));
          });
  connect(m_controller, &CellsController::info, this, &CellsPanel::statusMessage);
  connect(m_map, &LatentMapView::lassoFinished, this, [this](int k) {
    Q_EMIT statusMessage(tr("Selection %1: %2 cells").arg(k).arg(m_map->selection(k).size()));
    if (k < 3) m_lassoMode->setCurrentIndex(k + 1);
  });
}

QWidget* CellsPanel::buildControls() {
  auto* w = new QWidget;
  auto* form = form::layout(w);
  m_data = new QComboBox;
  m_data->setEditable(true);
  m_data->addItems({QString::fromLatin1(kSimShift), QString::fromLatin1(kSimAdditive)});
  m_data->setToolTip(tr("sim-shift, sim-additive, or a file: .h5ad, a 10x MTX folder, a CSV, an R .rda"));
  auto* browse = new QPushButton(tr("Open…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Open single-cell data"), {},
                                                   tr("Single cells (*.h5ad *.csv *.tsv *.txt *.rda *.mtx *.gz);;All files (*)"));
    if (!f.isEmpty()) m_data->setEditText(f.endsWith(QLatin1String(".mtx.gz")) || f.endsWith(QLatin1String(".mtx")) ? QFileInfo(f).path() : f);
  });
  form->addRow(tr("Data"), form::row({m_data, browse}));
  m_obs = new QLineEdit;
  m_obs->setPlaceholderText(tr("obs CSV for MTX / CSV (optional)"));
  form->addRow(tr("Cell metadata"), m_obs);
  m_condKey = new QLineEdit;
  m_condKey->setPlaceholderText(tr("condition (sim-*)"));
  m_control = new QLineEdit;
  m_control->setPlaceholderText(tr("control"));
  m_treated = new QLineEdit;
  m_treated->setPlaceholderText(tr("stimulated"));
  form->addRow(tr("Condition key"), m_condKey);
  form->addRow(tr("Control / treated"), form::row({m_control, m_treated}));
  m_typeKey = new QLineEdit;
  m_typeKey->setPlaceholderText(tr("cell_type (sim-*)"));
  m_holdout = new QLineEdit;
  m_holdout->setPlaceholderText(tr("type0 (sim-*)"));
  form->addRow(tr("Cell type key"), m_typeKey);
  form->addRow(tr("Hold out type"), m_holdout);
  m_method = new QComboBox;
  m_method->addItems({"vae", "cvae", "mean-shift", "pca", "linear", "none"});
  m_method->setToolTip(tr("The model to train; every baseline is always scored beside it."));
  form->addRow(tr("Method"), m_method);
  m_epochs = form::spinBox(0, 100000, 30, tr("Training epochs"));
  form->addRow(tr("Epochs"), m_epochs);
  m_beta = form::doubleSpinBox(0, 10, CellsOptions{}.beta, 3, 0.01, tr("KL weight β; changes a running training live"));
  connect(m_beta, qOverload<double>(&QDoubleSpinBox::valueChanged), m_controller, &CellsController::setBeta);
  form->addRow(tr("β (live)"), m_beta);
  m_normalize = new QCheckBox(tr("library-size normalisation"));
  m_normalize->setChecked(true);
  m_log1p = new QCheckBox(tr("log1p"));
  m_log1p->setChecked(true);
  m_hvg = form::spinBox(0, 100000, 2000, tr("Highly variable genes kept (0: all)"));
  form->addRow(tr("Preprocess"), m_normalize);
  form->addRow(QString(), m_log1p);
  form->addRow(tr("HVG"), m_hvg);
  m_train = new QPushButton(tr("Open && train"));
  m_stop = new QPushButton(tr("Cancel"));
  m_stop->setEnabled(false);
  connect(m_train, &QPushButton::clicked, this, &CellsPanel::startTraining);
  connect(m_stop, &QPushButton::clicked, m_controller, &CellsController::cancel);
  form->addRow(form::row({m_train, m_stop}));
  m_progress = new QProgressBar;
  m_progress->setTextVisible(true);
  m_progress->setFormat(tr("not started"));
  form->addRow(m_progress);
  m_summaryLabel = new QLabel(tr("Nothing opened yet."));
  m_summaryLabel->setWordWrap(true);
  form->addRow(m_summaryLabel);
  m_steps = new QLabel;
  m_steps->setWordWrap(true);
  m_steps->setStyleSheet(QStringLiteral("color: #555;"));
  form->addRow(m_steps);
  m_colourBy = new QComboBox;
  m_colourBy->addItems({tr("cell type"), tr("condition"), tr("gene"), tr("held out vs observed")});
  connect(m_colourBy, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { recolour(); });
  form->addRow(tr("Colour by"), m_colourBy);
  m_gene = new QLineEdit;
  m_gene->setPlaceholderText(tr("gene name (type-ahead)"));
  connect(m_gene, &QLineEdit::returnPressed, this, [this] {
    m_colourBy->setCurrentIndex(2);
    m_controller->gene(m_gene->text().trimmed());
  });
  form->addRow(tr("Gene"), m_gene);
  m_lassoMode = new QComboBox;
  m_lassoMode->addItems({tr("pan / zoom"), tr("lasso 1: control"), tr("lasso 2: treated"),
                         tr("lasso 3: apply δ to")});
  connect(m_lassoMode, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int i) { m_map->setLassoMode(i); });
  form->addRow(tr("Mouse"), m_lassoMode);
  m_apply = new QPushButton(tr("Apply δ (1 → 2) to 3"));
  connect(m_apply, &QPushButton::clicked, this, [this] {
    m_controller->apply(m_map->selection(1), m_map->selection(2), m_map->selection(3));
  });
  auto* clear = new QPushButton(tr("Clear lassos"));
  connect(clear, &QPushButton::clicked, this, [this] {
    m_map->clearSelections();
    m_selectionScore->hide();
  });
  form->addRow(form::row({m_apply, clear}));
  auto* holdLasso = new QPushButton(tr("Hold out lasso 2 (control: lasso 1) && train"));
  holdLasso->setToolTip(tr("A new run whose held-out cells are the treated cells of lasso 2, "
                           "with the control cells of lasso 1 as their control"));
  connect(holdLasso, &QPushButton::clicked, this, [this] {
    if (m_map->selection(1).empty() || m_map->selection(2).empty()) {
      openErrorBox(tr("Hold out a selection"), tr("Draw lasso 1 (control) and lasso 2 (treated) first."),
                   QStringLiteral("cellsError"));
      return;
    }
    CellsOptions o = options();
    o.holdoutRows = m_map->selection(2);
    o.holdoutControlRows = m_map->selection(1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("opening…"));
    m_controller->start(o);
  });
  form->addRow(holdLasso);
  auto* exportButton = new QPushButton(tr("Export…"));
  connect(exportButton, &QPushButton::clicked, this, &CellsPanel::exportDialog);
  form->addRow(exportButton);
  return w;
}

QWidget* CellsPanel::buildCentre() {
  auto* split = new QSplitter(Qt::Horizontal);
  m_map = new LatentMapView;
  m_map->setObjectName(QStringLiteral("cellsMap"));
  m_map->setLeftDragPans(true);
  m_map->setAxisNames(QStringLiteral("PC1"), QStringLiteral("PC2"));
  m_map->setEmptyText(tr("Open data (sim-shift is ready to go) and train: the cells appear here.\n"
                         "Then lasso control (1) and treated (2) cells and a third group (3)."));
  split->addWidget(m_map);
  auto* right = new QWidget;
  auto* v = new QVBoxLayout(right);
  v->setContentsMargins(0, 0, 0, 0);
  m_banner = new QLabel;
  m_banner->setObjectName(QStringLiteral("cellsBanner"));
  m_banner->setWordWrap(true);
  m_banner->setStyleSheet(QStringLiteral(
      "background: #fff3cd; color: #7a4d00; border: 1px solid #e0b04c; padding: 6px; font-weight: bold;"));
  m_banner->hide();
  v->addWidget(m_banner);
  m_selectionScore = new QLabel;
  m_selectionScore->setObjectName(QStringLiteral("cellsSelectionScore"));
  m_selectionScore->setWordWrap(true);
  m_selectionScore->setTextFormat(Qt::RichText);
  m_selectionScore->hide();
  v->addWidget(m_selectionScore);
  auto* chart = new QChart;
  chart->legend()->setVisible(true);
  chart->legend()->setAlignment(Qt::AlignBottom);
  m_scatter = new QScatterSeries;
  m_scatter->setName(tr("genes"));
  m_scatter->setMarkerSize(5);
  m_scatter->setColor(QColor(120, 120, 120, 140));
  m_scatter->setBorderColor(Qt::transparent);
  m_scatterTop = new QScatterSeries;
  m_scatterTop->setName(tr("top-100 DE"));
  m_scatterTop->setMarkerSize(7);
  m_scatterTop->setColor(QColor(214, 39, 40));
  m_scatterTop->setBorderColor(Qt::transparent);
  m_diagonal = new QLineSeries;
  m_diagonal->setName(tr("y = x"));
  m_diagonal->setPen(QPen(Qt::black, 1, Qt::DashLine));
  chart->addSeries(m_scatter);
  chart->addSeries(m_scatterTop);
  chart->addSeries(m_diagonal);
  chart->createDefaultAxes();
  chart->setTitle(tr("Predicted vs observed mean expression (held-out cells)"));
  auto hover = [this](QScatterSeries* s, const std::vector<int>* genes) {
    connect(s, &QScatterSeries::hovered, this, [this, s, genes](const QPointF& p, bool on) {
      if (!on) return QToolTip::hideText();
      const auto pts = s->points();
      int best = -1;
      double bd = 1e300;
      for (int i = 0; i < pts.size(); ++i) {
        const double d = std::hypot(pts[i].x() - p.x(), pts[i].y() - p.y());
        if (d < bd) bd = d, best = i;
      }
      auto e = m_controller->lastEvaluation();
      if (best < 0 || !e || best >= int(genes->size())) return;
      QToolTip::showText(QCursor::pos(), tr("%1: observed %2, predicted %3")
                                             .arg(QString::fromStdString(e->geneNames[(*genes)[best]]))
                                             .arg(p.x(), 0, 'f', 3)
                                             .arg(p.y(), 0, 'f', 3));
    });
  };
  hover(m_scatter, &m_scatterGenes);
  hover(m_scatterTop, &m_scatterTopGenes);
  m_chartView = new QChartView(chart);
  m_chartView->setRenderHint(QPainter::Antialiasing);
  m_chartView->setMinimumHeight(260);
  m_scatterMethod = new QComboBox;
  connect(m_scatterMethod, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { showScatter(); });
  auto* scatterRow = new QWidget;
  auto* sr = new QFormLayout(scatterRow);
  sr->setContentsMargins(0, 0, 0, 0);
  sr->addRow(tr("Scatter of"), m_scatterMethod);
  v->addWidget(scatterRow);
  v->addWidget(m_chartView, 3);
  m_table = new QTableWidget(0, 7);
  m_table->setHorizontalHeaderLabels({tr("method"), tr("r² means"), tr("r² means top100"),
                                      tr("R²-Δ"), tr("R²-Δ top100"), tr("Pearson-Δ"),
                                      tr("error vs truth")});
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  v->addWidget(m_table, 2);
  m_genes = new QTableWidget(0, 3);
  m_genes->setHorizontalHeaderLabels({tr("gene"), tr("predicted Δ"), tr("observed Δ")});
  m_genes->verticalHeader()->hide();
  m_genes->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_genes->setEditTriggers(QAbstractItemView::NoEditTriggers);
  v->addWidget(m_genes, 2);
  split->addWidget(right);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  split->setSizes({560, 520});
  return split;
}

CellsOptions CellsPanel::options() const {
  CellsOptions o;
  o.data = m_data->currentText().trimmed().toStdString();
  o.obs = m_obs->text().trimmed().toStdString();
  o.conditionKey = m_condKey->text().trimmed().toStdString();
  o.control = m_control->text().trimmed().toStdString();
  o.treated = m_treated->text().trimmed().toStdString();
  o.typeKey = m_typeKey->text().trimmed().toStdString();
  o.holdout = m_holdout->text().trimmed().toStdString();
  o.method = m_method->currentText().toStdString();
  o.epochs = m_epochs->value();
  o.normalize = m_normalize->isChecked();
  o.log1p = m_log1p->isChecked();
  o.hvg = m_hvg->value();
  o.beta = m_beta->value();
  return o;
}

void CellsPanel::startTraining() {
  const CellsOptions o = options();
  try {
    CellsOptions check = o;
    if (check.simulated()) check.conditionKey = "x", check.control = "c", check.treated = "t";
    check.validate();
  } catch (const std::exception& e) {
    openErrorBox(tr("Cells options"), QString::fromStdString(e.what()), QStringLiteral("cellsError"));
    return;
  }
  m_progress->setValue(0);
  m_progress->setFormat(tr("opening…"));
  m_controller->start(o);
}

bool CellsPanel::setDataSpec(const QString& spec) {
  m_data->setEditText(spec);
  return true;
}

bool CellsPanel::setView(const QString& view) {
  if (view != QLatin1String("lasso")) return false;
  m_demoPending = true;
  if (m_controller->lastEvaluation()) demoLassos();
  return true;
}

void CellsPanel::recolour() {
  if (!m_lastMap) return;
  const auto& m = *m_lastMap;
  const std::size_t n = m.xy.size() / 2;
  std::vector<QRgb> c(n);
  QStringList names;
  QVector<QColor> colours;
  switch (m_colourBy->currentIndex()) {
    case 0:
      for (std::size_t i = 0; i < n; ++i) c[i] = category(m.type[i]).rgb();
      for (std::size_t t = 0; t < m.typeNames.size(); ++t)
        names << QString::fromStdString(m.typeNames[t]), colours << category(int(t));
      break;
    case 1:
      for (std::size_t i = 0; i < n; ++i)
        c[i] = (m.condition[i] ? QColor(214, 39, 40) : QColor(31, 119, 180)).rgb();
      names << QString::fromStdString(m.conditionNames[0]) << QString::fromStdString(m.conditionNames[1]);
      colours << QColor(31, 119, 180) << QColor(214, 39, 40);
      break;
    case 2:
      if (m_geneValues && m_geneValues->values.size() == n) {
        const double lo = m_geneValues->lo, hi = std::max(m_geneValues->hi, m_geneValues->lo + 1e-6f);
        for (std::size_t i = 0; i < n; ++i) c[i] = ramp((m_geneValues->values[i] - lo) / (hi - lo));
        names << QString::fromStdString(m_geneValues->gene) + tr(" low") << tr("high");
        colours << QColor(ramp(0)) << QColor(ramp(1));
      } else {
        std::fill(c.begin(), c.end(), qRgb(190, 190, 190));
        names << tr("type a gene name and press Enter");
        colours << QColor(190, 190, 190);
      }
      break;
    default:
      for (std::size_t i = 0; i < n; ++i)
        c[i] = m.heldOut[i] ? qRgb(214, 39, 40) : qRgb(200, 200, 200);
      names << tr("held-out treated (observed)") << tr("others") << tr("predicted (after Apply δ)");
      colours << QColor(214, 39, 40) << QColor(200, 200, 200) << QColor(255, 127, 14);
      break;
  }
  m_map->setPointColours(c);
  m_map->setLegend(names, colours);
}

void CellsPanel::onEvaluated(const EvaluationPtr& e) {
  m_progress->setValue(m_progress->maximum());
  m_table->setRowCount(int(e->methods.size()));
  for (int r = 0; r < int(e->methods.size()); ++r) {
    const auto& m = e->methods[r];
    const QString name = QString::fromStdString(m.method) + (m.method == e->model ? tr(" (model)") : QString());
    const QString cells[] = {name, fmt(m.r2MeansAll), fmt(m.r2MeansTop), fmt(m.r2DeltaAll),
                             fmt(m.r2DeltaTop), fmt(m.pearsonDeltaAll), fmt(m.rmseTruthAll)};
    for (int c = 0; c < 7; ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c == 5 && !std::isfinite(m.pearsonDeltaAll))
        item->setToolTip(tr("undefined: the predicted change is constant"));
      if (c == 6 && !std::isfinite(m.rmseTruthAll))
        item->setToolTip(tr("the true response is known only for simulated data"));
      m_table->setItem(r, c, item);
    }
  }
  if (!e->banner.empty()) {
    m_banner->setText(QStringLiteral("⚠ ") + QString::fromStdString(e->banner));
    m_banner->show();
  } else {
    m_banner->hide();
  }
  const QString keep = m_scatterMethod->currentText();
  m_scatterMethod->blockSignals(true);
  m_scatterMethod->clear();
  for (const auto& m : e->methods) m_scatterMethod->addItem(QString::fromStdString(m.method));
  const int idx = m_scatterMethod->findText(keep);
  m_scatterMethod->setCurrentIndex(idx >= 0 ? idx : 0);
  m_scatterMethod->blockSignals(false);
  showScatter();
  // Top changed genes: predicted vs observed change of the top DE genes.
  const auto& m = e->methods[0];
  const int rows = std::min<int>(20, int(e->top.size()));
  m_genes->setHorizontalHeaderLabels({tr("gene (top DE)"), tr("predicted Δ (%1)").arg(QString::fromStdString(m.method)), tr("observed Δ")});
  m_genes->setRowCount(rows);
  for (int i = 0; i < rows; ++i) {
    const int g = e->top[i];
    m_genes->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(e->geneNames[g])));
    m_genes->setItem(i, 1, new QTableWidgetItem(fmt(m.predMean[g] - e->ctrlA[g])));
    m_genes->setItem(i, 2, new QTableWidgetItem(fmt(e->trueMean[g] - e->ctrlB[g])));
  }
  Q_EMIT statusMessage(tr("Scored %1 methods on %2 held-out cells").arg(e->methods.size()).arg(e->heldOutCells));
  if (m_demoPending) demoLassos();
}

void CellsPanel::showScatter() {
  auto e = m_controller->lastEvaluation();
  if (!e) return;
  const int mi = std::max(0, m_scatterMethod->currentIndex());
  if (mi >= int(e->methods.size())) return;
  const auto& m = e->methods[mi];
  QList<QPointF> all, top;
  m_scatterGenes.clear();
  m_scatterTopGenes.clear();
  std::vector<char> isTop(e->geneNames.size(), 0);
  for (int g : e->top) isTop[g] = 1;
  double lo = 1e300, hi = -1e300;
  for (std::size_t g = 0; g < e->geneNames.size(); ++g) {
    const QPointF p(e->trueMean[g], m.predMean[g]);
    lo = std::min({lo, p.x(), p.y()});
    hi = std::max({hi, p.x(), p.y()});
    if (isTop[g]) top << p, m_scatterTopGenes.push_back(int(g));
    else all << p, m_scatterGenes.push_back(int(g));
  }
  m_scatter->replace(all);
  m_scatterTop->replace(top);
  m_diagonal->replace(QList<QPointF>{{lo, lo}, {hi, hi}});
  auto* chart = m_chartView->chart();
  for (auto* ax : chart->axes()) {
    ax->setRange(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
    ax->setTitleText(ax->orientation() == Qt::Horizontal ? tr("observed mean") : tr("predicted mean"));
  }
  chart->setTitle(tr("%1: r² = %2 · R²-Δ = %3<br>top-100 DE: r² = %4 · R²-Δ = %5")
                      .arg(QString::fromStdString(m.method))
                      .arg(fmt(m.r2MeansAll))
                      .arg(fmt(m.r2DeltaAll))
                      .arg(fmt(m.r2MeansTop))
                      .arg(fmt(m.r2DeltaTop)));
}

int CellsPanel::scatterPoints() const { return int(m_scatter->count() + m_scatterTop->count()); }
QString CellsPanel::scatterTitle() const { return m_chartView->chart()->title(); }

void CellsPanel::onPredicted(const SelectionPredictionPtr& p) {
  m_map->setArrow(QPointF(p->fromX, p->fromY), QPointF(p->toX, p->toY));
  m_map->setPrediction(p->sourceXY, p->predictedXY);
  m_genes->setHorizontalHeaderLabels({tr("gene (selection 3)"), tr("predicted"), tr("before")});
  const int rows = int(p->topChanged.size());
  m_genes->setRowCount(rows);
  for (int i = 0; i < rows; ++i) {
    const int g = p->topChanged[i];
    m_genes->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(p->geneNames[g])));
    m_genes->setItem(i, 1, new QTableWidgetItem(fmt(p->predictedMean[g])));
    m_genes->setItem(i, 2, new QTableWidgetItem(fmt(p->sourceMean[g])));
  }
  if (p->scores.empty()) {
    m_selectionScore->setText(tr("<b>Selection 3:</b> %1").arg(QString::fromStdString(p->scoreNote).toHtmlEscaped()));
  } else {
    QString rows;
    for (const auto& m : p->scores)
      rows += tr("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td><td align=right>%4</td><td align=right>%5</td></tr>")
                  .arg(QString::fromStdString(m.method).toHtmlEscaped(), fmt(m.r2MeansAll), fmt(m.r2DeltaAll),
                       fmt(m.r2DeltaTop), fmt(m.rmseTruthTop));
    m_selectionScore->setText(
        tr("<b>Selection 3 scored</b> (%1)<table cellspacing=4><tr><th></th><th>r² means</th><th>R²-Δ</th>"
           "<th>R²-Δ top-100</th><th>RMSE truth top-100</th></tr>%2</table>")
            .arg(QString::fromStdString(p->scoreNote).toHtmlEscaped(), rows));
  }
  m_selectionScore->show();
  Q_EMIT statusMessage(tr("δ applied in %1 to %2 cells").arg(QString::fromStdString(p->space)).arg(p->predictedXY.size() / 2));
}

int CellsPanel::selectionOfExport(const QString& path) {
  for (int k = 1; k <= 3; ++k)
    if (path.endsWith(QStringLiteral(".sel%1.txt").arg(k))) return k;
  return 3;
}

void CellsPanel::exportDialog() {
  const QString f = QFileDialog::getSaveFileName(
      this, tr("Export"), QStringLiteral("predictions.h5ad"),
      tr("Predictions (*.h5ad *.csv);;DE table (*.de.csv);;Metrics (*.metrics.csv);;"
         "Selection cell ids: NAME.sel1.txt, NAME.sel2.txt or NAME.sel3.txt (*.txt);;"
         "Selection 3 subset (*.subset.h5ad)"));
  if (f.isEmpty()) return;
  if (f.endsWith(QLatin1String(".de.csv"))) m_controller->exportText(f, QStringLiteral("de"));
  else if (f.endsWith(QLatin1String(".metrics.csv"))) m_controller->exportText(f, QStringLiteral("metrics"));
  else if (f.endsWith(QLatin1String(".txt")) || f.endsWith(QLatin1String(".subset.h5ad")))
    m_controller->exportSelection(m_map->selection(selectionOfExport(f)), f);
  else m_controller->exportPredictions(f);
}

}  // namespace genlab::ui
