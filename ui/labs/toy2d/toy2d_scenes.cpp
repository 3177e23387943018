#include "ui/labs/toy2d/toy2d_scenes.h"

#include <QObject>

#include <algorithm>
#include <array>
#include <cmath>

namespace genlab::ui {

using core::toy2d::Heatmap;
using core::toy2d::LatentMesh;
using core::toy2d::Points2D;
namespace c = toy2dcolors;

namespace {
constexpr int kDataPoints = 1500;   // training points drawn under a view
constexpr double kLogRange = 9.0;   // log-densities: show the top 9 nats

QString tr(const char* s) { return QObject::tr(s); }

QVector<QPointF> toPoints(const std::vector<float>& xy, int max = 1 << 30) {
  QVector<QPointF> out;
  const int n = std::min<int>(int(xy.size() / 2), max);
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.append(QPointF(xy[2 * i], xy[2 * i + 1]));
  return out;
}

FieldLayer points(const QString& id, const QString& name, QVector<QPointF> pts, const QColor& color,
                  double radius, double alpha, bool outline = true) {
  FieldLayer l;
  l.kind = FieldLayer::Kind::Points;
  l.id = id;
  l.name = name;
  l.points = std::move(pts);
  l.color = color;
  l.size = radius;
  l.alpha = alpha;
  l.outline = outline;
  return l;
}

FieldLayer dataLayer(const Toy2dSceneContext& ctx, const QColor& color = c::kData, double alpha = 0.35) {
  if (!ctx.data) return {};
  return points("data", tr("data"), toPoints(ctx.data->train.xy, kDataPoints), color, 1.8, alpha, false);
}

FieldHeatmap heatmap(const Heatmap& h, ColorMap map, double lo, double hi, const QString& title) {
  FieldHeatmap f;
  f.x0 = h.grid.x0;
  f.x1 = h.grid.x1;
  f.y0 = h.grid.y0;
  f.y1 = h.grid.y1;
  f.nx = h.grid.nx;
  f.ny = h.grid.ny;
  f.values = QVector<float>(h.values.begin(), h.values.end());
  f.lo = lo;
  f.hi = hi > lo ? hi : lo + 1;
  f.map = map;
  f.title = title;
  return f;
}

FieldHeatmap logDensityMap(const Heatmap& h, ColorMap map = ColorMap::Viridis) {
  return heatmap(h, map, std::max<double>(h.minValue, h.maxValue - kLogRange), h.maxValue,
                 QString::fromStdString(h.quantity));
}

FieldHeatmap discriminatorMap(const Heatmap& h) {
  const QString q = QString::fromStdString(h.quantity);
  if (q.contains("P(real)")) return heatmap(h, ColorMap::Diverging, 0, 1, q);
  if (q.contains("least squares")) {
    // Targets 1 (real) and 0 (fake): white at 0.5, the undecided middle.
    const double m = std::max({0.5, std::abs(h.minValue - 0.5), std::abs(h.maxValue - 0.5)});
    return heatmap(h, ColorMap::Diverging, 0.5 - m, 0.5 + m, q);
  }
  // A critic: centred on the midpoint of what it outputs.
  return heatmap(h, ColorMap::Diverging, h.minValue, h.maxValue, q);
}

FieldLayer meshLayer(const LatentMesh& m, const QString& name, const QColor& color, double alpha) {
  FieldLayer l;
  l.kind = FieldLayer::Kind::Lines;
  l.id = "mesh";
  l.name = name;
  l.color = color;
  l.alpha = alpha;
  l.size = 1.0;
  auto at = [&m](int u, int v) {
    const std::size_t k = 2 * (std::size_t(v) * m.nu + u);
    return k + 1 < m.xy.size() ? QPointF(m.xy[k], m.xy[k + 1]) : QPointF();
  };
  for (int v = 0; v < m.nv; ++v) {
    QPolygonF line;
    for (int u = 0; u < m.nu; ++u) line.append(at(u, v));
    l.lines.append(line);
  }
  if (m.nv > 1)
    for (int u = 0; u < m.nu; ++u) {
      QPolygonF line;
      for (int v = 0; v < m.nv; ++v) line.append(at(u, v));
      l.lines.append(line);
    }
  return l;
}

QRgb hueOf(const QPointF& base) {
  // Colour by angle in base space, lighter farther out: a point keeps its
  // colour through every layer, so you can follow it.
  const double angle = std::atan2(base.y(), base.x());
  const double r = std::min(1.0, std::hypot(base.x(), base.y()) / 2.5);
  return QColor::fromHsvF(float((angle + M_PI) / (2 * M_PI)), float(0.55 + 0.45 * r),
                          float(0.95 - 0.25 * r)).rgb();
}

void flowLayersScene(const core::toy2d::FlowLayerView& v, const Toy2dSceneContext& ctx,
                     FieldScene& scene, QStringList* stages) {
  if (v.stages.empty()) return;
  if (stages)
    for (const auto& st : v.stages) stages->append(QString::fromStdString(st.name));
  const int k = ctx.stage < 0 ? int(v.stages.size()) - 1
                              : std::min(ctx.stage, int(v.stages.size()) - 1);
  const auto& st = v.stages[k];
  scene.put(dataLayer(ctx, c::kData, 0.18));
  const int half = int(st.lines.size() / 2);
  for (int dir = 0; dir < 2; ++dir) {
    FieldLayer l;
    l.kind = FieldLayer::Kind::Lines;
    l.id = dir == 0 ? "grid" : "grid2";
    l.name = dir == 0 ? tr("grid (x = const in base)") : tr("grid (y = const in base)");
    l.color = dir == 0 ? QColor(31, 119, 180) : QColor(214, 39, 40);
    l.alpha = 0.8;
    l.size = 1.0;
    for (int i = dir * half; i < (dir + 1) * half && i < int(st.lines.size()); ++i)
      l.lines.append(QPolygonF(toPoints(st.lines[i])));
    scene.put(std::move(l));
  }
  FieldLayer s = points("samples", tr("base samples, coloured by where they started"),
                        toPoints(st.samples), c::kSamples, 2.6, 0.9);
  const QVector<QPointF> base = toPoints(v.stages.front().samples);
  for (const QPointF& b : base) s.colors.append(hueOf(b));
  scene.put(std::move(s));
  scene.caption = QObject::tr("stage %1 of %2: %3")
                      .arg(k)
                      .arg(int(v.stages.size()) - 1)
                      .arg(QString::fromStdString(st.name));
}

void trajectoriesScene(const core::toy2d::Trajectories& t, const Toy2dSceneContext& ctx,
                       FieldScene& scene) {
  // Each path in four pieces by time, light (t near 1, mostly noise) to dark
  // (t near 0): the eye follows the flow from noise to data.
  constexpr double kBounds[] = {1.0, 0.3, 0.1, 0.02, 0.0};
  const QColor kShades[] = {QColor(170, 185, 210), QColor(110, 140, 200), QColor(45, 90, 180),
                            QColor(10, 40, 120)};
  QVector<QPointF> starts, ends;
  std::array<FieldLayer, 4> pieces;
  for (int p = 0; p < 4; ++p) {
    FieldLayer& l = pieces[p];
    l.kind = FieldLayer::Kind::Lines;
    l.id = p == 0 ? QStringLiteral("paths") : QStringLiteral("paths%1").arg(p);
    l.color = kShades[p];
    l.alpha = p == 0 ? 0.18 : 0.3 + 0.2 * p;  // the noisy early jumps stay in the background
    l.size = 1.0;
  }
  pieces[3].name = t.sampler == "ode" ? tr("probability-flow ODE paths (dark: t → 0)")
                                      : tr("reverse-SDE paths (dark: t → 0)");
  for (int i = 0; i < t.count; ++i) {
    QPolygonF line[4];
    for (int s = 0; s <= t.steps; ++s) {
      const std::size_t k = 2 * (std::size_t(s) * t.count + i);
      if (k + 1 >= t.xy.size()) break;
      const QPointF q(t.xy[k], t.xy[k + 1]);
      const double time = s < int(t.times.size()) ? t.times[s] : 1.0 - double(s) / t.steps;
      int p = 0;
      while (p < 3 && time <= kBounds[p + 1]) ++p;
      if (line[p].isEmpty() && p > 0 && !line[p - 1].isEmpty()) line[p].append(line[p - 1].back());
      line[p].append(q);
      if (s == 0) starts.append(q);
      if (s == t.steps) ends.append(q);
    }
    for (int p = 0; p < 4; ++p)
      if (line[p].size() > 1) pieces[p].lines.append(line[p]);
  }
  for (FieldLayer& l : pieces) scene.put(std::move(l));
  scene.put(dataLayer(ctx, c::kData, 0.3));
  scene.put(points("starts", tr("start: noise at t = 1"), starts, QColor(150, 150, 160), 2.0, 0.7));
  scene.put(points("samples", tr("end: samples at t ≈ 0"), ends, c::kSamples, 3.0, 0.95));
  QString cap = QObject::tr("%1 · %2 steps").arg(QString::fromStdString(t.sampler).toUpper()).arg(t.steps);
  if (t.correctorSteps > 0)
    cap += QObject::tr(" · Langevin corrector %1× (SNR %2)").arg(t.correctorSteps).arg(t.snr, 0, 'g', 3);
  scene.caption = cap;
}

void diffusionScene(const Toy2dFrame& f, const Toy2dSceneContext& ctx, FieldScene& scene) {
  if (ctx.noisedDensity) scene.heatmap = logDensityMap(*ctx.noisedDensity, ColorMap::Magma);
  if (f.noised) {
    const bool score = f.view == Toy2dView::Score;
    scene.put(points("noised", tr("noised data x_t"), toPoints(f.noised->xy),
                     QColor(35, 60, 160), score ? 1.6 : 2.2, score ? 0.5 : 0.8, !score));
    scene.caption = QObject::tr("t = %1 · α = %2 · σ = %3")
                        .arg(f.noised->t, 0, 'f', 3)
                        .arg(f.noised->alpha, 0, 'f', 3)
                        .arg(f.noised->sigma, 0, 'f', 3);
  }
  if (f.arrows) {
    FieldLayer a;
    a.kind = FieldLayer::Kind::Arrows;
    a.id = "arrows";
    a.name = tr("learned score ∇ log p_t");
    a.points = toPoints(f.arrows->xy);
    a.vectors = toPoints(f.arrows->uv);
    a.color = QColor(15, 25, 70);
    a.size = 1.5;
    a.alpha = 0.95;
    a.arrowLength = 0;  // longest arrow = 1/20 of the view
    a.compress = true;
    scene.put(std::move(a));
  }
}

void latentScene(const Toy2dFrame& f, FieldScene& scene) {
  FieldLayer circles;
  circles.kind = FieldLayer::Kind::Lines;
  circles.id = "prior";
  circles.name = tr("prior N(0, I): 1σ, 2σ");
  circles.color = QColor(120, 120, 130);
  circles.alpha = 0.8;
  circles.size = 1.5;
  for (double r : {1.0, 2.0}) {
    QPolygonF ring;
    for (int i = 0; i <= 96; ++i)
      ring.append(QPointF(r * std::cos(2 * M_PI * i / 96), r * std::sin(2 * M_PI * i / 96)));
    circles.lines.append(ring);
  }
  scene.put(std::move(circles));
  if (f.latent)
    scene.put(points("latent", tr("held-out points at their posterior means"),
                     toPoints(f.latent->xy), QColor(31, 119, 180), 2.2, 0.6));
}
void densityScene(const Toy2dFrame& f, const Toy2dSceneContext& ctx, FieldScene& scene) {
  const bool logDet = f.view == Toy2dView::LogDet;
  if (f.heatmap && logDet) {
    // Diverging around 0: red stretches, blue squeezes.
    const double m = std::max(std::abs(f.heatmap->minValue), std::abs(f.heatmap->maxValue));
    scene.heatmap = heatmap(*f.heatmap, ColorMap::Coolwarm, -m, m, QString::fromStdString(f.heatmap->quantity));
  } else if (f.heatmap) {
    scene.heatmap = logDensityMap(*f.heatmap);
  }
  scene.put(dataLayer(ctx, logDet ? c::kData : QColor(225, 225, 235), logDet ? 0.35 : 0.5));
  if (f.samples)
    scene.put(points("samples", tr("model samples"), toPoints(f.samples->xy, 600), c::kSamples, 2.4, 0.9));
}

void ganScene(const Toy2dFrame& f, const Toy2dSceneContext& ctx, FieldScene& scene) {
  const bool disc = f.view == Toy2dView::Discriminator;
  if (f.heatmap) scene.heatmap = discriminatorMap(*f.heatmap);
  if (f.mesh) scene.put(meshLayer(*f.mesh, tr("generator's latent grid"), c::kMesh, disc ? 0.35 : 0.7));
  scene.put(dataLayer(ctx, c::kReal, disc ? 0.5 : 0.35));
  if (FieldLayer* d = scene.layer("data")) d->name = tr("real data");
  if (f.samples)
    scene.put(points("samples", tr("generated G(z)"), toPoints(f.samples->xy, 600), c::kFake, 2.6, 0.9));
  if (!f.arrows) return;
  FieldLayer a;
  a.kind = FieldLayer::Kind::Arrows;
  a.id = "arrows";
  a.name = tr("generator gradient −∂L_G/∂x");
  a.points = toPoints(f.arrows->xy);
  a.vectors = toPoints(f.arrows->uv);
  a.color = c::kArrows;
  a.size = 1.4;
  a.alpha = 0.85;
  a.outline = false;
  scene.put(std::move(a));
}
}  // namespace

FieldScene buildToy2dScene(const Toy2dFrame& f, const Toy2dSceneContext& ctx, QStringList* stages) {
  FieldScene scene;
  scene.title = ctx.title;
  scene.caption = QObject::tr("step %1").arg(f.step);
  const QString samplesName = tr("model samples");
  switch (f.view) {
    case Toy2dView::Density:
    case Toy2dView::Baseline:
    case Toy2dView::LogDet:
      densityScene(f, ctx, scene);
      break;
    case Toy2dView::FlowLayers:
      if (f.layers) flowLayersScene(*f.layers, ctx, scene, stages);
      break;
    case Toy2dView::Discriminator:
    case Toy2dView::GeneratorMesh:
      ganScene(f, ctx, scene);
      break;
    case Toy2dView::Noising:
    case Toy2dView::Score:
      diffusionScene(f, ctx, scene);
      break;
    case Toy2dView::Trajectories:
      if (f.trajectories) trajectoriesScene(*f.trajectories, ctx, scene);
      break;
    case Toy2dView::LatentSpace:
      latentScene(f, scene);
      break;
    case Toy2dView::DecoderMesh:
      if (f.mesh) scene.put(meshLayer(*f.mesh, tr("decoder means over a latent grid"), QColor(31, 119, 180), 0.7));
      scene.put(dataLayer(ctx));
      if (f.samples)
        scene.put(points("samples", samplesName, toPoints(f.samples->xy, 600), c::kSamples, 2.4, 0.9));
      break;
    case Toy2dView::Samples:
      scene.put(dataLayer(ctx, c::kData, 0.3));
      if (f.samples)
        scene.put(points("samples", samplesName, toPoints(f.samples->xy), c::kSamples, 2.4, 0.85));
      break;
    case Toy2dView::Overview:
      break;
  }
  // Drop empty layers and the ones the user switched off.
  scene.layers.erase(std::remove_if(scene.layers.begin(), scene.layers.end(),
                                    [&](const FieldLayer& l) {
                                      const QString base = l.id.startsWith("paths") ? "paths" : l.id;
                                      return l.id.isEmpty() || ctx.hiddenLayers.contains(base);
                                    }),
                     scene.layers.end());
  if (ctx.hiddenLayers.contains("heatmap")) scene.heatmap = FieldHeatmap{};
  return scene;
}

QVector<QPair<QString, QString>> toy2dLayersOf(Toy2dView view) {
  using P = QPair<QString, QString>;
  const P heat{"heatmap", tr("Heatmap")}, data{"data", tr("Data")}, samples{"samples", tr("Samples")};
  switch (view) {
    case Toy2dView::Density:
    case Toy2dView::LogDet:
    case Toy2dView::Baseline: return {heat, data, samples};
    case Toy2dView::FlowLayers: return {data, {"grid", tr("Grid (x lines)")}, {"grid2", tr("Grid (y lines)")}, samples};
    case Toy2dView::Discriminator:
      return {heat, data, samples, {"arrows", tr("Gradient arrows")}, {"mesh", tr("Latent grid mesh")}};
    case Toy2dView::GeneratorMesh:
    case Toy2dView::DecoderMesh: return {data, samples, {"mesh", tr("Mesh")}};
    case Toy2dView::Noising: return {heat, {"noised", tr("Noised points")}};
    case Toy2dView::Score: return {heat, {"noised", tr("Noised points")}, {"arrows", tr("Score arrows")}};
    case Toy2dView::Trajectories: return {data, {"paths", tr("Paths")}, {"starts", tr("Start points")}, samples};
    case Toy2dView::LatentSpace: return {{"prior", tr("Prior circles")}, {"latent", tr("Posterior means")}};
    case Toy2dView::Samples: return {data, samples};
    case Toy2dView::Overview: return {};
  }
  return {};
}

QRectF toy2dDataRect(const Points2D& p, double minHalf) {
  if (p.empty()) return QRectF(-3, -3, 6, 6);
  double x0 = p.x(0), x1 = x0, y0 = p.y(0), y1 = y0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    x0 = std::min<double>(x0, p.x(i));
    x1 = std::max<double>(x1, p.x(i));
    y0 = std::min<double>(y0, p.y(i));
    y1 = std::max<double>(y1, p.y(i));
  }
  const double half = std::max(minHalf, 0.5 * std::max(x1 - x0, y1 - y0) * 1.15);
  const QPointF c(0.5 * (x0 + x1), 0.5 * (y0 + y1));
  return QRectF(c - QPointF(half, half), QSizeF(2 * half, 2 * half));
}

QRectF toy2dHomeRect(const Toy2dFrame& f, const core::toy2d::Toy2dData* data) {
  if (f.view == Toy2dView::LatentSpace) return QRectF(-3, -3, 6, 6);
  return data ? toy2dDataRect(data->train, 0.5) : QRectF(-3, -3, 6, 6);
}

FieldScene toy2dCanvasScene(const Points2D& pts, const QString& hint) {
  FieldScene scene;
  scene.title = QObject::tr("Draw your own data");
  scene.caption = QObject::tr("%1 points").arg(pts.size());
  scene.emptyText = hint;
  if (!pts.empty())
    scene.put(points("drawn", tr("your points"), toPoints(pts.xy), c::kDrawn, 2.4, 0.7));
  return scene;
}

void toy2dOverviewGraph(const core::toy2d::ModelOverview& ov, QVector<GraphNode>& nodes,
                        QVector<GraphEdge>& edges) {
  for (const auto& n : ov.nodes) {
    GraphNode g;
    g.id = QString::fromStdString(n.id);
    g.title = QString::fromStdString(n.title);
    g.caption = QString::fromStdString(n.caption);
    const Heatmap& h = n.heatmap;
    if (!h.values.empty()) {
      const QString q = QString::fromStdString(h.quantity);
      g.scene.heatmap = q.startsWith("log") ? logDensityMap(h)
                        : (q.contains("D(") || q.contains("critic")) ? discriminatorMap(h)
                        : heatmap(h, ColorMap::Viridis, h.minValue, h.maxValue, q);
    }
    if (!n.mesh.xy.empty()) g.scene.put(meshLayer(n.mesh, QString(), c::kMesh, 0.6));
    if (!n.points.empty()) {
      const bool real = g.id == "data";
      g.scene.put(points("points", QString(), toPoints(n.points), real ? c::kReal : c::kSamples,
                         1.8, 0.7, false));
    }
    if (!n.arrows.xy.empty()) {
      FieldLayer a;
      a.kind = FieldLayer::Kind::Arrows;
      a.id = "arrows";
      a.points = toPoints(n.arrows.xy);
      a.vectors = toPoints(n.arrows.uv);
      a.color = c::kArrows;
      a.size = 1.0;
      a.outline = false;
      g.scene.put(std::move(a));
    }
    nodes.push_back(std::move(g));
  }
  for (const auto& e : ov.edges)
    edges.push_back({QString::fromStdString(e.from), QString::fromStdString(e.to),
                     QString::fromStdString(e.label)});
}

}  // namespace genlab::ui
