#pragma once
// Forward declarations of the Qt widgets that control columns hold pointers
// to, so their headers need not include the widgets (or list them again).
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QToolButton;
