#!/usr/bin/env node
// Runs nsfwjs@4.3.0's MobileNetV2 in tfjs itself on two fixed inputs and
// writes what GenLab's converted copy must reproduce (the test
// "style: the converted MobileNetV2 matches tfjs" in tests/core/test_mobilenet.cpp).
//
//   scripts/validate-mobilenet.sh            # installs tfjs in a temp dir, then runs this
//   NODE_PATH=DIR/node_modules node scripts/validate-mobilenet.js PACKAGE_DIR OUT.json
//
// The inputs are integer pixel images (224 x 224 x 3, values 0..255) that the
// C++ test builds from the same formulas, divided by 255 as nsfwjs does; their
// pixel sums are in the fixture so a mismatch of the inputs shows. For each
// input: the five class probabilities and, for the encoder layers GenLab uses
// (and the last conv layer), the per-channel mean and standard deviation
// (population) of the activation and a few raw values.
'use strict';
const path = require('path');
const fs = require('fs');
const {mobilenetDir, loadBundle} = require('./nsfwjs-bundle.js');
const tf = require('@tensorflow/tfjs');

const [pkgDir, outPath] = process.argv.slice(2);
if (!pkgDir || !outPath) {
  process.stderr.write('usage: node scripts/validate-mobilenet.js PACKAGE_DIR OUT.json\n');
  process.exit(1);
}
const modelDir = mobilenetDir(pkgDir);
// (copied through JSON into this context: tfjs checks prototypes)
const model = JSON.parse(JSON.stringify(loadBundle(path.join(modelDir, 'model.min.js'))));
const shard = Buffer.from(loadBundle(path.join(modelDir, 'group1-shard1of1.min.js')), 'base64');

const S = 224;
// The two inputs; tests/core/test_mobilenet.cpp has the same formulas.
const INPUTS = {
  ramp: (y, x, c) => [Math.floor((x * 255) / (S - 1)), Math.floor((y * 255) / (S - 1)),
                      Math.floor(((x + y) * 255) / (2 * (S - 1)))][c],
  // Integer arithmetic only (no sin), so both sides build the same bytes:
  // a triangle wave along a diagonal, a checkerboard of 16 px and a
  // quadratic bowl.
  pattern: (y, x, c) => {
    if (c === 0) { const t = (3 * x + 5 * y) % 128; return t < 64 ? 4 * t : 4 * (127 - t) + 3; }
    if (c === 1) return ((x >> 4) + (y >> 4)) % 2 ? 220 : 35;
    return ((x - 112) * (x - 112) + (y - 90) * (y - 90)) % 256;
  },
};
const LAYERS = ['Conv1_relu', 'block_1_expand_relu', 'block_3_expand_relu', 'block_6_expand_relu', 'out_relu'];
// Raw values at (y, x, channel) in each layer's own resolution.
const PROBES = [[0, 0, 0], [1, 2, 3], [5, 3, 7], [6, 6, 11], [3, 6, 30]];

async function main() {
  await tf.setBackend('cpu');
  const weightSpecs = model.weightsManifest.flatMap((g) => g.weights);
  const weightData = shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength);
  const net = await tf.loadLayersModel(tf.io.fromMemory({modelTopology: model.modelTopology, weightSpecs, weightData}));
  const outputs = [...LAYERS.map((n) => net.getLayer(n).output), net.outputs[0]];
  const probe = tf.model({inputs: net.inputs, outputs});
  const result = {
    source: 'npm nsfwjs@4.3.0 dist/models/mobilenet_v2, run in @tensorflow/tfjs ' + tf.version.tfjs +
            ' (backend ' + tf.getBackend() + ') by scripts/validate-mobilenet.js',
    input_size: S, scaling: 'pixel / 255', layers: LAYERS, probes_yxc: PROBES, inputs: {},
  };
  for (const [name, fn] of Object.entries(INPUTS)) {
    const px = new Float32Array(S * S * 3);
    let sum = 0;
    for (let y = 0; y < S; ++y)
      for (let x = 0; x < S; ++x)
        for (let c = 0; c < 3; ++c) { const v = fn(y, x, c); px[(y * S + x) * 3 + c] = v; sum += v; }
    const input = tf.tensor4d(px, [1, S, S, 3]).div(tf.scalar(255));
    const outs = probe.predict(input);
    const entry = {pixel_sum: sum, layers: {}, probabilities: Array.from(await outs[outs.length - 1].data())};
    for (let i = 0; i < LAYERS.length; ++i) {
      const t = outs[i];
      const [, h, w, ch] = t.shape;
      const moments = tf.moments(t, [0, 1, 2]);
      const v = await t.data();
      entry.layers[LAYERS[i]] = {
        shape_hwc: [h, w, ch],
        mean: Array.from(await moments.mean.data()),
        std: Array.from(await moments.variance.sqrt().data()),
        probes: PROBES.map(([y, x, c]) => v[(y * w + x) * ch + c]),
      };
    }
    result.inputs[name] = entry;
    console.log(name + ': probabilities ' + entry.probabilities.map((p) => p.toFixed(6)).join(' '));
  }
  const tmp = outPath + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(result, null, 1) + '\n');
  fs.renameSync(tmp, outPath);
  console.log('validate-mobilenet: wrote ' + outPath);
}
main().catch((e) => { process.stderr.write('validate-mobilenet: ' + (e.stack || e) + '\n'); process.exit(1); });
