#include "ui/labs/protein/protein_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

#include "ui/views/bar_chart_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/views/form_helpers.h"
#include "ui/views/image_view.h"
#include "ui/views/latent_map_view.h"

namespace genlab::ui {

using namespace core::protein;

namespace {
// Residue colours by chemistry (a common logo scheme).
QColor residueColor(char c) {
  switch (c) {
    case 'D': case 'E': return QColor(200, 40, 40);
    case 'K': case 'R': case 'H': return QColor(40, 70, 210);
    case 'S': case 'T': case 'N': case 'Q': return QColor(30, 150, 60);
    case 'A': case 'V': case 'L': case 'I': case 'M': return QColor(40, 40, 40);
    case 'F': case 'W': case 'Y': return QColor(130, 50, 170);
    case 'G': case 'P': return QColor(220, 140, 20);
    case 'C': return QColor(200, 170, 0);
    default: return QColor(160, 160, 160);
  }
}

// Clusters of the map's points: k-means (k = 8) on the 2-D coordinates,
// started from points spread evenly through the list, 20 rounds; deterministic.
std::vector<int> clusters(const std::vector<float>& xy) {
  const int n = int(xy.size() / 2), k = std::min(8, n);
  std::vector<int> out(n, -1);
  if (k == 0) return out;
  std::vector<double> cx(k), cy(k);
  for (int c = 0; c < k; ++c) {
    const int i = int((long long)c * n / k);
    cx[c] = xy[2 * i];
    cy[c] = xy[2 * i + 1];
  }
  for (int round = 0; round < 20; ++round) {
    std::vector<double> sx(k, 0), sy(k, 0);
    std::vector<int> count(k, 0);
    for (int i = 0; i < n; ++i) {
      int best = 0;
      double bestD = 1e300;
      for (int c = 0; c < k; ++c) {
        const double dx = xy[2 * i] - cx[c], dy = xy[2 * i + 1] - cy[c], d = dx * dx + dy * dy;
        if (d < bestD) bestD = d, best = c;
      }
      out[i] = best;
      sx[best] += xy[2 * i];
      sy[best] += xy[2 * i + 1];
      ++count[best];
    }
    for (int c = 0; c < k; ++c)
      if (count[c] > 0) cx[c] = sx[c] / count[c], cy[c] = sy[c] / count[c];
  }
  return out;
}

// Values -> 10 labels by deciles, for the map's label colours.
std::vector<int> deciles(const std::vector<float>& v) {
  std::vector<float> sorted;
  for (float x : v)
    if (std::isfinite(x)) sorted.push_back(x);
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> out(v.size(), -1);
  if (sorted.empty()) return out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) continue;
    const auto rank = std::lower_bound(sorted.begin(), sorted.end(), v[i]) - sorted.begin();
    out[i] = std::min(9, int(10 * rank / std::max<std::size_t>(1, sorted.size())));
  }
  return out;
}
}  // namespace

LabPanel* labs::make_protein(EngineBridge* bridge, QWidget* parent) {
  return new ProteinPanel(bridge, parent);
}

ProteinPanel::ProteinPanel(EngineBridge* bridge, QWidget* parent)
    : LabPanel(QStringLiteral("protein"), parent), m_controller(new ProteinController(bridge, this)) {
  layoutControlsAndCentre(buildControls(), buildCentre());
  connect(m_controller, &ProteinController::opened, this, [this](const QString& s) {
    m_summary = s;
    if (auto session = m_controller->session()) {  // a loaded model brings its own settings
      const ProteinOptions& o = session->options();
      m_family->setText(QString::fromStdString(o.family));
      m_alignment->setValue(o.alignment);
      m_latentDim->setValue(o.latentDim);
      m_epochs->setValue(o.epochs);
      m_theta->setValue(o.theta);
    }
    m_summaryLabel->setText(s);
    // Colour by any #=GS annotation the family carries (Stockholm files).
    while (m_colourBy->count() > 4) m_colourBy->removeItem(4);
    if (auto session = m_controller->session())
      for (const auto& [tag, values] : session->annotations())
        m_colourBy->addItem(QStringLiteral("#=GS ") + QString::fromStdString(tag));
    m_elbo->clearPoints();
    m_kl->clearPoints();
    Q_EMIT dataChanged();
  });
  connect(m_controller, &ProteinController::mapUpdated, this, [this](const FamilyMapPtr& m) {
    m_lastMap = m;
    recolour();
  });
  connect(m_controller, &ProteinController::progressed, this, &ProteinPanel::onProgress);
  connect(m_controller, &ProteinController::decoded, this, [this](const DecodedSequencePtr& d) {
    m_decoded->setImage(logoImage(*d));
    m_decoded->setCaption(tr("decoded at (%1, %2)").arg(d->x, 0, 'f', 3).arg(d->y, 0, 'f', 3));
  });
  connect(m_controller, &ProteinController::scanned, this, [this](const MutationScanPtr& s) {
    m_heat->setImage(heatMapImage(*s));
    m_heat->setCaption(tr("ΔELBO of %1's mutants (%2 draws): red worse, blue better")
                           .arg(QString::fromStdString(s->wildtypeName))
                           .arg(s->samples));
  });
  connect(m_controller, &ProteinController::designed, this, &ProteinPanel::onDesigned);
  connect(m_controller, &ProteinController::finished, this, [this](const ProteinResultPtr& r) {
    m_progress->setValue(1000);
    // "—" when nothing was held out (held-out fraction 0): no number to show.
    Q_EMIT statusMessage(tr("Held-out ELBO %1 nats/sequence, PSSM %2")
                             .arg(form::metric(r->heldOut.elbo), form::metric(r->pssmHeldOut)));
    if (m_wildtype->text().isEmpty() && m_controller->session())
      m_wildtype->setText(QString::fromStdString(m_controller->session()->family().names.front()));
    m_controller->scan(m_wildtype->text(), 32);
    // Show a decoded sequence right away: the first sequence's point, pinned.
    if (m_lastMap && m_lastMap->xy.size() >= 2 && !m_map->pinned()) {
      const QPointF first(m_lastMap->xy[0], m_lastMap->xy[1]);
      m_map->setPinned(first);
      m_controller->decode(first);
    }
    requestDesign();
  });
  connect(m_controller, &ProteinController::busyChanged, this, [this](bool busy) {
    m_train->setEnabled(!busy);
    m_stop->setEnabled(m_controller->training());
  });
  connect(m_controller, &ProteinController::errorOccurred, this,
          [this](const QString& what, const QString& message) {
            openErrorBox(what, message, QStringLiteral("proteinError"));
          });
  connect(m_controller, &ProteinController::info, this, &ProteinPanel::statusMessage);
  connect(m_map, &LatentMapView::picked, m_controller, &ProteinController::decode);
  connect(m_map, &LatentMapView::regionChanged, this, [this] {
    const int n = int(m_map->brushRegion().size());
    m_regionLabel->setText(n ? tr("Region: %1 brush strokes; Sample N draws from it.").arg(n)
                             : tr("No region painted: sampling uses the radius above."));
  });
  connect(m_map, &LatentMapView::hovered, m_controller, &ProteinController::decode);
}

QWidget* ProteinPanel::buildControls() {
  auto* w = new QWidget;
  auto* f = form::layout(w);
  m_family = new QLineEdit(QString::fromLatin1(kPottsDemo));
  m_family->setToolTip(tr("An aligned FASTA/A2M or Stockholm file (gzip or not), or "
                          "'potts-demo' for a simulated family with planted couplings."));
  auto* browse = new QPushButton(tr("Open…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, tr("Open a family alignment"));
    if (!p.isEmpty()) m_family->setText(p);
  });
  f->addRow(tr("Family"), form::row({m_family, browse}));
  m_alignment = form::spinBox(1, 100000, 1,
                              tr("Which alignment of a Stockholm file that holds several (each "
                                 "ends with '//'); the summary says how many there are"));
  f->addRow(tr("Alignment"), m_alignment);
  m_latentDim = form::spinBox(1, 64, 2, tr("Latent dimensions (2 draws the map directly)"));
  m_epochs = form::spinBox(1, 100000, 30, tr("Epochs of weighted draws"));
  m_theta = form::doubleSpinBox(0, 1, 0.2, 2, 0.05,
                                tr("θ: neighbours are sequences at identity ≥ 1 − θ"));
  f->addRow(tr("Latent / epochs"), form::row({m_latentDim, m_epochs}));
  f->addRow(tr("θ (weights)"), m_theta);
  m_train = new QPushButton(tr("Train"));
  m_stop = new QPushButton(tr("Stop"));
  m_stop->setEnabled(false);
  connect(m_train, &QPushButton::clicked, this, &ProteinPanel::startTraining);
  connect(m_stop, &QPushButton::clicked, m_controller, &ProteinController::cancel);
  f->addRow(form::row({m_train, m_stop}));
  m_progress = new QProgressBar;
  m_progress->setRange(0, 1000);
  f->addRow(m_progress);
  m_summaryLabel = new QLabel(tr("No family yet: press Train."));
  m_summaryLabel->setWordWrap(true);
  f->addRow(m_summaryLabel);
  m_colourBy = new QComboBox;
  m_colourBy->addItems(
      {tr("ELBO (deciles)"), tr("Weight (deciles)"), tr("Held out"), tr("Cluster (k-means, 8)")});
  connect(m_colourBy, &QComboBox::currentIndexChanged, this, [this] { recolour(); });
  f->addRow(tr("Colour map by"), m_colourBy);
  m_wildtype = new QLineEdit;
  m_wildtype->setPlaceholderText(tr("a name in the family, or an aligned sequence"));
  m_scan = new QPushButton(tr("Scan mutants"));
  connect(m_scan, &QPushButton::clicked, this, [this] { m_controller->scan(m_wildtype->text(), 64); });
  f->addRow(tr("Wild type"), m_wildtype);
  auto* exportScan = new QPushButton(tr("CSV…"));
  connect(exportScan, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, tr("Save scan"), "scan.csv");
    if (!p.isEmpty()) m_controller->exportScan(p);
  });
  f->addRow(form::row({m_scan, exportScan}));
  m_n = form::spinBox(1, 100000, 1000, tr("Designs to sample"));
  m_seed = form::spinBox(0, 1000000, 1, tr("Seed of the design batch"));
  f->addRow(tr("N / seed"), form::row({m_n, m_seed}));
  m_radius = form::doubleSpinBox(0, 100, 0, 2, 0.1,
                                 tr("Without a brushed region: 0 samples the prior; else a disc of "
                                    "this radius around the point clicked on the map"));
  f->addRow(tr("Region radius"), m_radius);
  m_brush = new QPushButton(tr("Brush region"));
  m_brush->setCheckable(true);
  m_brush->setShortcut(QKeySequence(QStringLiteral("B")));
  m_brush->setToolTip(tr("Paint the region to sample from on the map (B). While on, dragging on "
                         "the map paints instead of decoding; Sample N then draws z uniformly "
                         "over the painted region."));
  auto* clearRegion = new QPushButton(tr("Clear"));
  clearRegion->setToolTip(tr("Forget the painted region"));
  f->addRow(form::row({m_brush, clearRegion}));
  m_regionLabel = new QLabel(tr("No region painted: sampling uses the radius above."));
  m_regionLabel->setWordWrap(true);
  f->addRow(m_regionLabel);
  connect(m_brush, &QPushButton::toggled, this, [this](bool on) { m_map->setBrushEnabled(on); });
  connect(clearRegion, &QPushButton::clicked, this, [this] { m_map->clearBrushRegion(); });
  m_minIdentity = form::doubleSpinBox(0, 1, 0.7, 2, 0.05, tr("Identity to nearest: minimum"));
  m_maxIdentity = form::doubleSpinBox(0, 1, 0.9, 2, 0.05, tr("Identity to nearest: maximum"));
  f->addRow(tr("Identity"), form::row({m_minIdentity, m_maxIdentity}));
  m_motifs = new QLineEdit(QStringLiteral("N[^P][ST]"));
  m_motifs->setToolTip(tr("Forbidden motifs: regular expressions separated by spaces"));
  f->addRow(tr("Motifs"), m_motifs);
  m_sample = new QPushButton(tr("Sample N"));
  connect(m_sample, &QPushButton::clicked, this, &ProteinPanel::requestDesign);
  auto* exportFasta = new QPushButton(tr("FASTA…"));
  connect(exportFasta, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, tr("Save designs"), "designs.fasta");
    if (!p.isEmpty()) m_controller->exportDesigns(p, false);
  });
  f->addRow(form::row({m_sample, exportFasta}));
  auto* png = new QPushButton(tr("Export PNG…"));
  connect(png, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, tr("Save view"), "protein.png");
    if (!p.isEmpty()) exportImage().save(p);
  });
  f->addRow(png);
  return w;
}

QWidget* ProteinPanel::buildCentre() {
  auto* centre = new QWidget;
  auto* grid = new QGridLayout(centre);
  grid->setContentsMargins(0, 0, 0, 0);
  m_map = new LatentMapView;
  m_map->setEmptyText(tr("The family's latent map appears when a family is open."));
  m_decoded = new ImageView;
  m_decoded->setPlaceholder(tr("Hover or click the map to decode a sequence."));
  m_heat = new ImageView;
  m_heat->setPlaceholder(tr("Mutation heat map: choose a wild type and scan."));
  m_funnel = new BarChartPanel(tr("Design funnel"), tr("sequences"), 0);
  const QStringList stages{"sampled", "valid", "length", "identity", "charge",
                           "GRAVY", "homopolymer", "motifs", "ELBO"};
  for (int i = 0; i < stages.size(); ++i)
    m_funnel->addCategory(stages[i], stages[i], labelColor(i));
  m_survivors = new QTableWidget(0, 4);
  m_survivors->setHorizontalHeaderLabels({tr("design"), tr("ELBO"), tr("identity"), tr("nearest")});
  m_survivors->horizontalHeader()->setStretchLastSection(true);
  m_survivors->verticalHeader()->hide();
  m_elbo = new ChartPanel(tr("ELBO per sequence (nats)"));
  m_elbo->setSeriesStyle("train", QColor(31, 119, 180), false, tr("train ELBO"));
  m_elbo->setSeriesStyle("held-out", QColor(214, 39, 40), true, tr("held-out ELBO"));
  m_elbo->setSeriesStyle("pssm", QColor(80, 80, 80), false, tr("PSSM, held-out"));
  m_kl = new ChartPanel(tr("KL (nats)"));
  m_kl->setSeriesStyle("kl", QColor(44, 160, 44), false, tr("train KL"));
  grid->addWidget(m_map, 0, 0, 2, 1);
  grid->addWidget(m_decoded, 0, 1);
  grid->addWidget(m_heat, 1, 1);
  grid->addWidget(m_funnel, 2, 0);
  grid->addWidget(m_survivors, 2, 1);
  grid->addWidget(m_elbo, 3, 0);
  grid->addWidget(m_kl, 3, 1);
  grid->setRowStretch(0, 3);
  grid->setRowStretch(1, 3);
  grid->setRowStretch(2, 2);
  grid->setRowStretch(3, 2);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  return centre;
}

ProteinOptions ProteinPanel::options() const {
  ProteinOptions o;
  o.family = m_family->text().trimmed().toStdString();
  o.alignment = m_alignment->value();
  o.latentDim = m_latentDim->value();
  o.epochs = m_epochs->value();
  o.theta = m_theta->value();
  return o;
}

bool ProteinPanel::setView(const QString& view) {
  if (!view.startsWith(QStringLiteral("region="))) return false;
  QVector<LatentMapView::Disc> region;
  for (const QString& part : view.mid(7).split(';', Qt::SkipEmptyParts)) {
    const QStringList v = part.split(',');
    bool ok[3] = {false, false, false};
    if (v.size() != 3) return false;
    const LatentMapView::Disc d{v[0].toDouble(&ok[0]), v[1].toDouble(&ok[1]), v[2].toDouble(&ok[2])};
    if (!ok[0] || !ok[1] || !ok[2] || !(d.r > 0)) return false;
    region.push_back(d);
  }
  if (region.isEmpty()) return false;
  m_map->setBrushRegion(region);
  return true;
}

bool ProteinPanel::setDataSpec(const QString& spec) {
  m_family->setText(spec);
  return true;
}

void ProteinPanel::openModelDialog() {
  const QString p = QFileDialog::getOpenFileName(this, tr("Open a protein model"), {},
                                                 tr("GenLab models (*.glm);;All files (*)"));
  if (!p.isEmpty()) m_controller->load(p);
}

void ProteinPanel::saveModelDialog() {
  const QString p = QFileDialog::getSaveFileName(this, tr("Save the protein model"), "family.glm",
                                                 tr("GenLab models (*.glm)"));
  if (!p.isEmpty()) m_controller->save(p);
}

void ProteinPanel::startTraining() {
  m_progress->setValue(0);
  m_controller->start(options());
}

void ProteinPanel::recolour() {
  if (!m_lastMap) return;
  std::vector<int> labels;
  switch (m_colourBy->currentIndex()) {
    case 0: labels = deciles(m_lastMap->elbo); break;
    case 1: labels = deciles(m_lastMap->weight); break;
    case 2: labels.assign(m_lastMap->heldOut.begin(), m_lastMap->heldOut.end()); break;
    case 3: labels = clusters(m_lastMap->xy); break;
    default: {
      // The 9 most frequent values of the tag get their own colour, the rest share the 10th.
      auto session = m_controller->session();
      const std::string tag = m_colourBy->currentText().mid(5).toStdString();
      labels.assign(m_lastMap->xy.size() / 2, -1);
      if (!session || !session->annotations().count(tag)) break;
      const auto& values = session->annotations().at(tag);
      std::map<std::string, int> counts;
      for (const auto& [name, v] : values) ++counts[v];
      std::vector<std::pair<int, std::string>> byCount;
      for (const auto& [v, c] : counts) byCount.push_back({-c, v});
      std::sort(byCount.begin(), byCount.end());
      std::map<std::string, int> labelOf;
      for (std::size_t i = 0; i < byCount.size(); ++i)
        labelOf[byCount[i].second] = std::min<int>(int(i), 9);
      const auto& names = session->family().names;
      for (std::size_t i = 0; i < labels.size() && i < names.size(); ++i) {
        const auto it = values.find(names[i]);
        if (it != values.end()) labels[i] = labelOf[it->second];
      }
      break;
    }
  }
  m_map->setPoints(m_lastMap->xy, labels);
}

void ProteinPanel::onProgress(const ProteinProgressPtr& p) {
  if (p->totalSteps > 0) m_progress->setValue(int(1000.0 * p->step / p->totalSteps));
  QList<QPointF> train, kl, held, pssm;
  for (const auto& c : p->train) {
    train.push_back({c.epoch, c.m.elbo});
    kl.push_back({c.epoch, c.m.kl});
  }
  for (const auto& c : p->heldOut) {
    held.push_back({c.epoch, c.m.elbo});
    pssm.push_back({c.epoch, p->pssmHeldOut});
  }
  m_elbo->replacePoints("train", train);
  m_elbo->replacePoints("held-out", held);
  m_elbo->replacePoints("pssm", pssm);
  m_kl->replacePoints("kl", kl);
}

void ProteinPanel::requestDesign() {
  FunnelFilters f;
  f.minIdentity = m_minIdentity->value();
  f.maxIdentity = m_maxIdentity->value();
  f.motifs.clear();
  for (const QString& m : m_motifs->text().split(' ', Qt::SkipEmptyParts))
    f.motifs.push_back(m.toStdString());
  core::protein::Region region;
  for (const auto& d : m_map->brushRegion())
    region.push_back({float(d.x), float(d.y), float(d.r)});
  if (region.empty() && m_radius->value() > 0) {  // a disc around the clicked point
    const QPointF centre = m_map->pinned().value_or(QPointF(0, 0));
    region.push_back({float(centre.x()), float(centre.y()), float(m_radius->value())});
  }
  m_controller->design(m_n->value(), m_seed->value(), f, region);
}

void ProteinPanel::onDesigned(const FunnelResultPtr& r) {
  m_funnel->clearValues();
  m_funnel->setValue("sampled", r->sampled);
  const QStringList keys{"valid", "length", "identity", "charge", "GRAVY",
                         "homopolymer", "motifs", "ELBO"};
  for (std::size_t i = 0; i < r->stages.size() && int(i) < keys.size(); ++i)
    if (r->stages[i].on) m_funnel->setValue(keys[int(i)], r->stages[i].in - r->stages[i].removed);
  m_survivors->setRowCount(0);
  for (const auto& d : r->designs) {
    if (!d.removedBy.empty()) continue;
    const int row = m_survivors->rowCount();
    if (row >= 500) break;
    m_survivors->insertRow(row);
    m_survivors->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(d.name)));
    m_survivors->setItem(row, 1, new QTableWidgetItem(form::metric(d.elbo)));
    m_survivors->setItem(row, 2, new QTableWidgetItem(QString::number(d.identity, 'f', 3)));
    m_survivors->setItem(row, 3, new QTableWidgetItem(QString::fromStdString(d.nearest)));
  }
  Q_EMIT statusMessage(tr("%1 of %2 designs passed the funnel").arg(r->survivors).arg(r->sampled));
}

// Long families wrap into rows of positions so the images stay near square.
QImage ProteinPanel::logoImage(const DecodedSequence& d) {
  const int cell = 14, top = 20, h = 110, gap = 8, perRow = 40;
  const int rows = std::max(1, (d.length + perRow - 1) / perRow);
  const int band = top + h + gap;
  QImage img(std::min(std::max(1, d.length), perRow) * cell, rows * band, QImage::Format_RGB32);
  img.fill(Qt::white);
  QPainter p(&img);
  QFont font = p.font();
  font.setBold(true);
  font.setPixelSize(12);
  p.setFont(font);
  for (int k = 0; k < d.length; ++k) {
    const int x = (k % perRow) * cell, y0 = (k / perRow) * band;
    const char c = k < int(d.sequence.size()) ? d.sequence[k] : '-';
    p.setPen(residueColor(c));
    p.drawText(QRect(x, y0, cell, top), Qt::AlignCenter, QString(QChar(c)));
    // The column's states, most probable on top, heights by probability.
    std::vector<std::pair<float, int>> col;
    for (int s = 0; s < kStates; ++s) col.push_back({d.probs[std::size_t(k) * kStates + s], s});
    std::sort(col.begin(), col.end());
    double y = y0 + top + h;
    for (const auto& [prob, s] : col) {
      const double hh = prob * h;
      if (hh < 0.5) continue;
      const QRectF r(x + 1, y - hh, cell - 2, hh);
      const QColor colour = residueColor(letterOf(s));
      p.fillRect(r, colour.lighter(170));
      if (hh >= 9) {
        QFont f2 = font;
        f2.setPixelSize(std::min(int(hh), 40));
        p.setFont(f2);
        p.setPen(colour.darker(110));
        p.drawText(r, Qt::AlignCenter, QString(QChar(letterOf(s))));
        p.setFont(font);
      }
      y -= hh;
    }
  }
  return img;
}

QImage ProteinPanel::heatMapImage(const MutationScan& s) {
  const int cell = 8, left = 12, gap = 6, perRow = 80;
  const int rows = std::max(1, (s.length + perRow - 1) / perRow);
  const int band = 20 * cell + gap;
  QImage img(left + std::min(std::max(1, s.length), perRow) * cell, rows * band,
             QImage::Format_RGB32);
  img.fill(Qt::white);
  float scale = 0;
  for (float v : s.deltaElbo)
    if (std::isfinite(v)) scale = std::max(scale, std::abs(v));
  QPainter p(&img);
  QFont font = p.font();
  font.setPixelSize(8);
  p.setFont(font);
  for (int row = 0; row < rows; ++row)
    for (int a = 1; a < kStates; ++a) {
      p.setPen(Qt::black);
      p.drawText(QRect(0, row * band + (a - 1) * cell, left, cell), Qt::AlignCenter,
                 QString(QChar(letterOf(a))));
    }
  for (int k = 0; k < s.length; ++k) {
    const int x = left + (k % perRow) * cell, y0 = (k / perRow) * band;
    for (int a = 1; a < kStates; ++a) {
      const float v = s.deltaElbo[std::size_t(k) * kStates + a];
      QColor c(200, 200, 200);
      if (std::isfinite(v) && scale > 0) {
        const double t = std::min(1.0, double(std::abs(v) / scale));
        c = v < 0 ? QColor(255, int(255 * (1 - t)), int(255 * (1 - t)))
                  : QColor(int(255 * (1 - t)), int(255 * (1 - t)), 255);
      }
      if (k < int(s.wildtype.size()) && s.wildtype[k] == letterOf(a)) c = Qt::black;
      p.fillRect(x, y0 + (a - 1) * cell, cell, cell, c);
    }
  }
  return img;
}

}  // namespace genlab::ui
