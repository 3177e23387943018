// genlab: the GUI. Wiring only: options, the main window, scripted screenshots.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QImage>
#include <QTimer>

#include <cstdio>

#include "ui/labs/lab_panel.h"
#include "ui/labs/lab_registry.h"
#include "ui/main_window.h"
#include "core/engine/engine.h"
#include "ui/views/vtk_view.h"

namespace {

struct Options {
  QString lab, data, view, screenshot, model, encoder;
  double autotrain = -1;
  double screenshotAfter = -1;
};

void addOptions(QCommandLineParser& parser) {
  parser.setApplicationDescription("GenLab: a desktop laboratory for deep generative models.");
  parser.addOption({{"h", "help"}, "Show this help and exit."});
  parser.addOption({{"v", "version"}, "Print the version and exit."});
  parser.addOption({"lab", "Open the lab with this id (e.g. latent).", "ID"});
  parser.addOption({"data", "Preselect a data set: mnist, digits or a folder.", "SPEC"});
  parser.addOption({"model", "Open a model file (.genlab, or TorchScript .pt) in the lab.", "FILE"});
  parser.addOption({"encoder", "With a TorchScript --model: its encoder method, to map --data.", "METHOD"});
  parser.addOption({"view", "Show this view of the lab (e.g. for --lab ct: compare, "
                            "uncertainty, nullspace, 3d).", "NAME"});
  parser.addOption({"autotrain", "Start training in the lab right away; with --screenshot, "
                                 "take it after SECONDS and exit.", "SECONDS"});
  parser.addOption({"screenshot", "Save a screenshot of the window to FILE.png and exit.", "FILE"});
  parser.addOption({"screenshot-after", "With --screenshot (no --autotrain): grab after SECONDS "
                                        "(default 1.5).", "SECONDS"});
}

QString usage(const QCommandLineParser& parser) {
  QString text = "Usage: genlab [options]\n" + parser.applicationDescription() + "\n\nOptions:\n";
  const char* rows[][2] = {
      {"-h, --help", "Show this help and exit."},
      {"-v, --version", "Print the version and exit."},
      {"--lab ID", "Open the lab with this id."},
      {"--data SPEC", "Preselect a data set: mnist, digits or a folder."},
      {"--model FILE", "Open a model (.genlab, or TorchScript .pt) in the lab."},
      {"--encoder METHOD", "With a TorchScript --model: the encoder method that maps --data."},
      {"--view NAME", "Show this view of the lab (ct: compare, uncertainty, nullspace, 3d)."},
      {"--autotrain SECONDS", "Start training right away; with --screenshot, grab after SECONDS."},
      {"--screenshot FILE", "Save a PNG of the main window and exit."},
      {"--screenshot-after SECONDS", "Without --autotrain: grab after SECONDS (default 1.5)."}};
  for (const auto& r : rows) text += QString("  %1%2\n").arg(QString(r[0]), -28).arg(r[1]);
  text += "\nLabs:\n";
  for (const auto& lab : genlab::ui::LabRegistry::labs())
    text += QString("  %1%2\n").arg(lab.id, -28).arg(lab.title);
  return text;
}

// A --NAME SECONDS option, 0 to max (NaN and words refused): false, with a
// message, when it is set to anything else; `out` is left alone when unset.
bool seconds(const QCommandLineParser& parser, const char* name, double max, double& out) {
  if (!parser.isSet(name)) return true;
  bool ok = false;
  const double v = parser.value(name).toDouble(&ok);
  if (!ok || !(v >= 0 && v <= max)) {
    std::fprintf(stderr, "genlab: --%s needs a number of seconds (0 to %g)\n", name, max);
    return false;
  }
  out = v;
  return true;
}

// Parses without a QApplication so that --help, --version and bad arguments
// work on machines without a display. Returns an exit code, or -1 to run.
int parseArguments(int argc, char** argv, Options& out) {
  QStringList args;
  for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
  QCommandLineParser parser;
  addOptions(parser);
  if (!parser.parse(args)) {
    std::fprintf(stderr, "genlab: %s\n", qPrintable(parser.errorText()));
    return 2;
  }
  if (parser.isSet("version")) {
    std::printf("genlab %s\n", GENLAB_VERSION);
    return 0;
  }
  if (parser.isSet("help")) {
    std::printf("%s", qPrintable(usage(parser)));
    return 0;
  }
  out.lab = parser.value("lab");
  out.data = parser.value("data");
  out.model = parser.value("model");
  out.encoder = parser.value("encoder");
  out.view = parser.value("view");
  out.screenshot = parser.value("screenshot");
  if (!out.lab.isEmpty() && !genlab::ui::LabRegistry::find(out.lab)) {
    QStringList ids;
    for (const auto& lab : genlab::ui::LabRegistry::labs()) ids << lab.id;
    std::fprintf(stderr, "genlab: unknown lab '%s' (available: %s)\n", qPrintable(out.lab),
                 qPrintable(ids.join(", ")));
    return 2;
  }
  if (!seconds(parser, "autotrain", 86400, out.autotrain) ||
      !seconds(parser, "screenshot-after", 3600, out.screenshotAfter))
    return 2;
  if (parser.isSet("screenshot-after") && (out.screenshot.isEmpty() || parser.isSet("autotrain"))) {
    std::fprintf(stderr, "genlab: --screenshot-after goes with --screenshot and without --autotrain "
                         "(with --autotrain the screenshot waits its SECONDS)\n");
    return 2;
  }
  if (out.lab.isEmpty() &&
      (!out.data.isEmpty() || !out.view.isEmpty() || out.autotrain >= 0 || !out.model.isEmpty()))
    out.lab = genlab::ui::LabRegistry::labs().front().id;
  return -1;
}

void scheduleScreenshot(genlab::ui::MainWindow& window, const QString& file, double seconds) {
  QTimer::singleShot(int(seconds * 1000), &window, [&window, file] {
    const QImage image = window.grab().toImage();
    if (image.isNull() || !image.save(file, "PNG")) {
      std::fprintf(stderr, "genlab: could not save the screenshot to %s\n", qPrintable(file));
      QApplication::exit(1);
      return;
    }
    std::printf("genlab: screenshot saved to %s (%dx%d)\n", qPrintable(file), image.width(),
                image.height());
    QApplication::exit(0);
  });
}

}  // namespace

int main(int argc, char** argv) {
  // VTK views render through OpenGL 3.2 Core; the default format must be set
  // before the application object exists.
  genlab::core::configureProcess();
  genlab::ui::VtkView::setDefaultSurfaceFormat();

  Options options;
  if (const int code = parseArguments(argc, argv, options); code >= 0) return code;

  QApplication app(argc, argv);
  QApplication::setApplicationName("genlab");
  QApplication::setApplicationDisplayName("GenLab");
  QApplication::setOrganizationName("GenLab");
  QApplication::setApplicationVersion(GENLAB_VERSION);
  QApplication::setWindowIcon(QIcon(":/icons/genlab.png"));

  genlab::ui::MainWindow window;
  genlab::ui::LabPanel* panel = options.lab.isEmpty() ? nullptr : window.openLab(options.lab);
  if (panel && !options.data.isEmpty() && !panel->setDataSpec(options.data)) {
    std::fprintf(stderr, "genlab: the %s lab does not take --data %s\n", qPrintable(options.lab),
                 qPrintable(options.data));
    return 2;
  }
  if (panel && !options.view.isEmpty() && !panel->setView(options.view)) {
    std::fprintf(stderr, "genlab: the %s lab has no view '%s'\n", qPrintable(options.lab),
                 qPrintable(options.view));
    return 2;
  }
  if (panel && !options.model.isEmpty() && !panel->openModelFile(options.model, options.encoder)) {
    std::fprintf(stderr, "genlab: the %s lab does not open model files\n", qPrintable(options.lab));
    return 2;
  }
  window.show();
  if (panel && options.autotrain >= 0)
    QTimer::singleShot(0, panel, [panel] { panel->startTraining(); });
  if (!options.screenshot.isEmpty())
    scheduleScreenshot(window, options.screenshot,
                       options.autotrain >= 0 ? options.autotrain
                                              : (options.screenshotAfter >= 0 ? options.screenshotAfter : 1.5));
  return app.exec();
}
