// Shared by scripts/convert-mobilenet.js and scripts/validate-mobilenet.js:
// where nsfwjs@4.3.0 keeps its MobileNetV2, and how its files are read.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

// The model's folder inside the unpacked npm package (PACKAGE_DIR/package).
function mobilenetDir(pkgDir) {
  return path.join(path.resolve(pkgDir), 'dist', 'models', 'mobilenet_v2');
}

// The two files are UMD bundles; evaluated in an empty context (no require,
// no process), whatever the package's "type" says.
function loadBundle(file) {
  const sandbox = {module: {exports: {}}};
  sandbox.exports = sandbox.module.exports;
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), sandbox, {filename: file, timeout: 120000});
  return sandbox.module.exports;
}

module.exports = {mobilenetDir, loadBundle};
