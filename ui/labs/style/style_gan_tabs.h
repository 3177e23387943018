#pragma once
// The Style lab's generator and checkerboard tabs (issue 13, parts 2 and 3).
// Each tab owns its own LabClient(bridge, "style.gan"); the Style panel adds
// them to its tab widget. Torch-free.
class QWidget;

namespace genlab::ui {
class EngineBridge;

// Samples, the style-mixing grid with its crossover slider, truncation psi,
// noise strength and GANSpace PCA sliders; training with progress and cancel;
// the mixing table (how often the class follows the coarse or fine source).
QWidget* makeStyleMixingTab(EngineBridge* bridge, QWidget* parent);
// A/B of two upsampling choices: overlap maps, power spectra with the stride
// frequencies marked, checkerboard energy, zoomed samples, live in training.
QWidget* makeCheckerboardTab(EngineBridge* bridge, QWidget* parent);
}  // namespace genlab::ui
