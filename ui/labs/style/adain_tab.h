#pragma once
// The Style lab's AdaIN tab: controls on the left (images, the style pad,
// alpha, per-layer strengths, preserve-colour, export, decoder training);
// content | style | result in the centre; below them the per-channel
// statistics of content, style and result (a scatter of mean against std
// that moves with the sliders) and the decoder's training losses.
#include <QImage>
#include <QWidget>

#include <array>

#include "ui/labs/style/adain_controller.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;

namespace genlab::ui {

class ChartPanel;
class ImageView;
class StylePad;
class StatsScatter;

class AdainTab : public QWidget {
  Q_OBJECT

 public:
  explicit AdainTab(EngineBridge* bridge, QWidget* parent = nullptr);

  AdainController* controller() const { return m_controller; }
  // Loads a PNG/JPEG into slot -1 (content) or 0..3 (styles A..D); false with a message when it cannot.
  bool loadImageFile(int slot, const QString& path);
  void setImage(int slot, const QImage& image, const QString& name);
  void startTraining();
  bool exportResult(const QString& path);
  core::style::TransferParams params() const;

  // For tests and screenshots.
  ImageView* contentView() const { return m_contentView; }
  ImageView* styleView() const { return m_styleView; }
  ImageView* resultView() const { return m_resultView; }
  StatsScatter* statsChart() const { return m_stats; }
  ChartPanel* lossChart() const { return m_loss; }
  QSlider* alphaSlider() const { return m_alpha; }
  QSlider* strengthSlider(int layer) const { return m_strength[layer]; }
  QCheckBox* preserveColourBox() const { return m_preserve; }
  StylePad* stylePad() const { return m_pad; }
  QPushButton* trainButton() const { return m_train; }
  QPushButton* stopButton() const { return m_stop; }
  QSpinBox* stepsSpin() const { return m_steps; }
  QSpinBox* trainSizeSpin() const { return m_trainSize; }
  QLabel* decoderLabel() const { return m_decoderLabel; }
  QLabel* decoderFileLabel() const { return m_fileLabel; }
  QPushButton* useDefaultButton() const { return m_useDefault; }
  QPushButton* saveToButton() const { return m_saveTo; }
  QComboBox* upsamplingBox() const { return m_upsampling; }
  QPushButton* newDecoderButton() const { return m_newDecoder; }
  QDoubleSpinBox* balanceSpin() const { return m_balance; }
  int transfers() const { return m_transfers; }

 Q_SIGNALS:
  void statusMessage(const QString& text);
  void errorMessage(const QString& what, const QString& message);

 private:
  QWidget* buildControls();
  QWidget* buildCentre();
  void requestTransfer();
  void loadDefaultImages();
  void showStyles();
  void onTransferred(const StyleTransferPtr& r);
  void showDecoderFile();
  void chooseTrainTarget();
  void enableBalance();

  AdainController* m_controller;
  std::array<QImage, 4> m_styleImages;
  std::array<QString, 5> m_names;  // content, A..D
  QImage m_result;
  int m_transfers = 0;
  bool m_defaultsLoaded = false;
  // controls
  std::array<QPushButton*, 4> m_styleButtons{};
  StylePad* m_pad = nullptr;
  QSlider* m_alpha = nullptr;
  QLabel* m_alphaLabel = nullptr;
  std::array<QSlider*, 3> m_strength{};
  QCheckBox* m_preserve = nullptr;
  QSpinBox* m_previewSize = nullptr;
  QSpinBox* m_steps = nullptr;
  QSpinBox* m_trainSize = nullptr;
  QPushButton* m_train = nullptr;
  QPushButton* m_stop = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_decoderLabel = nullptr;
  QLabel* m_fileLabel = nullptr;  // which file is in use, where training saves
  QPushButton* m_useDefault = nullptr;
  QPushButton* m_saveTo = nullptr;
  QComboBox* m_upsampling = nullptr;
  QPushButton* m_newDecoder = nullptr;
  QDoubleSpinBox* m_balance = nullptr;
  // views
  ImageView* m_contentView = nullptr;
  ImageView* m_styleView = nullptr;
  ImageView* m_resultView = nullptr;
  StatsScatter* m_stats = nullptr;
  ChartPanel* m_loss = nullptr;
};

}  // namespace genlab::ui
