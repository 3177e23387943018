#include "ui/labs/toy2d/toy2d_model_box.h"
#include "ui/views/form_helpers.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace genlab::ui {

using core::toy2d::Toy2dOptions;

namespace {
QDoubleSpinBox* rate(const QString& tip) {
  auto* s = new QDoubleSpinBox;
  s->setDecimals(5);
  s->setRange(1e-5, 1.0);
  s->setSingleStep(1e-4);
  s->setToolTip(tip);
  return s;
}

void setData(QComboBox* c, const QString& value) {
  const int i = c->findData(value);
  if (i >= 0) c->setCurrentIndex(i);
}

QString itemData(const QComboBox* c) { return c->currentData().toString(); }
}  // namespace

Toy2dModelBox::Toy2dModelBox(const QString& title, bool allowNone, QWidget* parent)
    : QGroupBox(title, parent) {
  auto* v = new QVBoxLayout(this);
  auto* top = form::layout(nullptr, true);
  m_model = new QComboBox;
  m_model->addItem(tr("Normalizing flow"), "flow");
  m_model->addItem(tr("GAN"), "gan");
  m_model->addItem(tr("Diffusion / score"), "diffusion");
  m_model->addItem(tr("VAE"), "vae");
  if (allowNone) m_model->addItem(tr("(none: one model)"), "none");
  m_model->setToolTip(tr("Flow: exact likelihood by change of variables. GAN: a generator and a "
                         "discriminator in a game. Diffusion: learn to undo noise. VAE: an "
                         "encoder and a decoder with a latent code."));
  top->addRow(tr("Model"), m_model);
  v->addLayout(top);
  m_pages = new QStackedWidget;
  m_pages->addWidget(buildFlowPage());
  m_pages->addWidget(buildGanPage());
  m_pages->addWidget(buildDiffusionPage());
  m_pages->addWidget(buildVaePage());
  m_pages->addWidget(new QWidget);  // none
  v->addWidget(m_pages);

  m_common = new QWidget;
  auto* c = form::layout(m_common, true);
  m_hidden = form::spinBox(2, 512, 2, tr("Units per hidden layer of every network in the model"));
  m_layers = form::spinBox(1, 6, 1, tr("Hidden layers per network"));
  m_batch = form::spinBox(8, 8192, 8, tr("Training points per iteration"));
  m_optimizer = new QComboBox;
  m_optimizer->addItem(tr("Adam"), "adam");
  m_optimizer->addItem(tr("SGD"), "sgd");
  m_optimizer->setToolTip(tr("The optimiser of every network"));
  m_lr = rate(tr("Learning rate (cosine decay over the training steps)"));
  c->addRow(tr("Hidden units"), m_hidden);
  c->addRow(tr("Hidden layers"), m_layers);
  c->addRow(tr("Batch"), m_batch);
  c->addRow(tr("Optimizer"), m_optimizer);
  c->addRow(tr("Learning rate"), m_lr);
  v->addWidget(m_common);

  connect(m_model, &QComboBox::currentIndexChanged, this, &Toy2dModelBox::onModelChanged);
  for (QSpinBox* s : findChildren<QSpinBox*>())
    connect(s, &QSpinBox::valueChanged, this, [this] { if (!m_loading) Q_EMIT changed(); });
  for (QDoubleSpinBox* s : findChildren<QDoubleSpinBox*>())
    connect(s, &QDoubleSpinBox::valueChanged, this, [this] { if (!m_loading) Q_EMIT changed(); });
  for (QComboBox* s : findChildren<QComboBox*>())
    if (s != m_model)
      connect(s, &QComboBox::currentIndexChanged, this, [this] { if (!m_loading) Q_EMIT changed(); });
  setModel("flow");
}

QWidget* Toy2dModelBox::buildFlowPage() {
  auto* w = new QWidget;
  auto* f = form::layout(w, true);
  m_flowType = new QComboBox;
  m_flowType->addItem(tr("RealNVP (affine coupling)"), "realnvp");
  m_flowType->addItem(tr("Planar"), "planar");
  m_flowType->setToolTip(tr("RealNVP: each layer shifts and scales one coordinate by a network "
                            "of the other. Planar: each layer bends space along one direction "
                            "(weak: needs many layers)."));
  m_flowLayers = form::spinBox(1, 64, 1, tr("Flow layers (coupling or planar)"));
  f->addRow(tr("Flow"), m_flowType);
  f->addRow(tr("Flow layers"), m_flowLayers);
  return w;
}

QWidget* Toy2dModelBox::buildGanPage() {
  auto* w = new QWidget;
  auto* f = form::layout(w, true);
  m_ganLoss = new QComboBox;
  m_ganLoss->addItem(tr("Non-saturating (log loss)"), "ns");
  m_ganLoss->addItem(tr("Least squares"), "ls");
  m_ganLoss->addItem(tr("WGAN-GP"), "wgan-gp");
  m_ganLoss->setToolTip(tr("The GAN's game: the original log loss with the non-saturating "
                           "generator loss, least squares (LSGAN), or a Wasserstein critic with "
                           "a gradient penalty"));
  m_dSteps = form::spinBox(1, 20, 1, tr("Discriminator updates per generator update"));
  m_noiseDim = form::spinBox(1, 2, 1, tr("Dimension of the generator's noise: 2 shows its latent grid as a "
                             "warped mesh, 1 as a curve"));
  m_lrD = rate(tr("Discriminator learning rate"));
  m_lrG = rate(tr("Generator learning rate"));
  f->addRow(tr("Loss"), m_ganLoss);
  f->addRow(tr("D steps per G step"), m_dSteps);
  f->addRow(tr("Noise dimension"), m_noiseDim);
  f->addRow(tr("Learning rate D"), m_lrD);
  f->addRow(tr("Learning rate G"), m_lrG);
  return w;
}

QWidget* Toy2dModelBox::buildDiffusionPage() {
  auto* w = new QWidget;
  auto* f = form::layout(w, true);
  m_schedule = new QComboBox;
  m_schedule->addItem(tr("VP-SDE (continuous)"), "vp");
  m_schedule->addItem(tr("DDPM (1000 steps)"), "ddpm");
  m_schedule->setToolTip(tr("The noise schedule: the continuous variance-preserving SDE with a "
                            "linear β(t), or DDPM's 1000 discrete steps"));
  f->addRow(tr("Schedule"), m_schedule);
  return w;
}

QWidget* Toy2dModelBox::buildVaePage() {
  auto* w = new QWidget;
  auto* f = form::layout(w, true);
  m_latentDim = form::spinBox(1, 16, 1, tr("Dimension of the latent code z"));
  f->addRow(tr("Latent dimension"), m_latentDim);
  return w;
}

void Toy2dModelBox::fitPages() {
  // A stacked widget is as tall as its tallest page: let only the current one count.
  for (int i = 0; i < m_pages->count(); ++i)
    m_pages->widget(i)->setSizePolicy(QSizePolicy::Preferred, i == m_pages->currentIndex()
                                                                  ? QSizePolicy::Preferred
                                                                  : QSizePolicy::Ignored);
  m_pages->adjustSize();
}

QString Toy2dModelBox::model() const { return itemData(m_model); }

void Toy2dModelBox::setModel(const QString& model) {
  const int i = m_model->findData(model);
  if (i < 0) return;
  if (i == m_model->currentIndex()) onModelChanged();
  else m_model->setCurrentIndex(i);
}

void Toy2dModelBox::onModelChanged() {
  const QString m = model();
  m_pages->setCurrentIndex(m_model->currentIndex());
  fitPages();
  m_common->setVisible(m != "none");
  if (m != "none") loadWidgets(Toy2dOptions::defaultsFor(m.toStdString()));
  Q_EMIT changed();
}

void Toy2dModelBox::loadWidgets(const Toy2dOptions& o) {
  m_loading = true;
  m_base = o;
  setData(m_flowType, QString::fromStdString(o.flowType));
  m_flowLayers->setValue(o.flowLayers);
  setData(m_ganLoss, QString::fromStdString(o.ganLoss));
  m_dSteps->setValue(o.dSteps);
  m_noiseDim->setValue(o.noiseDim);
  m_lrD->setValue(o.lrD);
  m_lrG->setValue(o.lrG);
  setData(m_schedule, QString::fromStdString(o.schedule));
  m_latentDim->setValue(o.latentDim);
  m_hidden->setValue(o.hidden);
  m_layers->setValue(o.layers);
  m_batch->setValue(o.batch);
  setData(m_optimizer, QString::fromStdString(o.optimizer));
  m_lr->setValue(o.lr);
  m_lr->setEnabled(o.model != "gan");
  m_loading = false;
}

void Toy2dModelBox::setOptions(const Toy2dOptions& o) {
  m_loading = true;
  const int i = m_model->findData(QString::fromStdString(o.model));
  if (i >= 0) {
    m_model->blockSignals(true);
    m_model->setCurrentIndex(i);
    m_model->blockSignals(false);
    m_pages->setCurrentIndex(i);
    fitPages();
    m_common->setVisible(true);
  }
  loadWidgets(o);
  Q_EMIT changed();
}

Toy2dOptions Toy2dModelBox::options() const {
  Toy2dOptions o = m_base;
  o.model = model().toStdString();
  o.flowType = itemData(m_flowType).toStdString();
  o.flowLayers = m_flowLayers->value();
  o.ganLoss = itemData(m_ganLoss).toStdString();
  o.dSteps = m_dSteps->value();
  o.noiseDim = m_noiseDim->value();
  o.lrD = m_lrD->value();
  o.lrG = m_lrG->value();
  o.schedule = itemData(m_schedule).toStdString();
  o.latentDim = m_latentDim->value();
  o.hidden = m_hidden->value();
  o.layers = m_layers->value();
  o.batch = m_batch->value();
  o.optimizer = itemData(m_optimizer).toStdString();
  o.lr = m_lr->value();
  return o;
}

void Toy2dModelBox::setLocked(bool locked) {
  for (QWidget* w : findChildren<QWidget*>())
    if (qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w)) w->setEnabled(!locked);
  if (!locked) m_lr->setEnabled(model() != "gan");
}

}  // namespace genlab::ui
