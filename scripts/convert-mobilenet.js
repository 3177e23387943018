#!/usr/bin/env node
// Converts the MobileNetV2 that npm nsfwjs@4.3.0 ships (a tfjs layers model:
// Keras topology + uint8-quantised weights, both wrapped in JS files) into a
// GenLab model file (core/util/model_file.h) for the Style lab's encoder.
//
//   node scripts/convert-mobilenet.js PACKAGE_DIR OUT.genlab
//
// PACKAGE_DIR is the extracted `npm pack nsfwjs@4.3.0` (its `package/`).
// The weights are de-quantised as tfjs does (value = q * scale + min, rounded
// to float32) and stored under their Keras names and shapes (HWIO kernels);
// the header's meta carries the Keras layer list (name, class, inputs and the
// settings GenLab's reader checks). Needs only node: no tfjs.
'use strict';
const fs = require('fs');
const {mobilenetDir, loadBundle} = require('./nsfwjs-bundle.js');
const path = require('path');

function die(msg) {
  process.stderr.write('convert-mobilenet: ' + msg + '\n');
  process.exit(1);
}

const [pkgDir, outPath] = process.argv.slice(2);
if (!pkgDir || !outPath) die('usage: node scripts/convert-mobilenet.js PACKAGE_DIR OUT.genlab');
const modelDir = mobilenetDir(pkgDir);
const model = loadBundle(path.join(modelDir, 'model.min.js'));
const shardB64 = loadBundle(path.join(modelDir, 'group1-shard1of1.min.js'));
if (!model || !model.modelTopology || !Array.isArray(model.weightsManifest))
  die('model.min.js does not hold {modelTopology, weightsManifest}');
if (typeof shardB64 !== 'string') die('group1-shard1of1.min.js does not hold a base64 string');
const shard = Buffer.from(shardB64, 'base64');

// ---- the layer list --------------------------------------------------------
const KEEP = ['filters', 'kernel_size', 'strides', 'padding', 'use_bias', 'depth_multiplier', 'max_value',
              'negative_slope', 'threshold', 'epsilon', 'units', 'activation', 'pool_size', 'rate',
              'data_format', 'dilation_rate', 'center', 'scale', 'batch_input_shape'];
const cfg = model.modelTopology.model_config;
if (!cfg || cfg.class_name !== 'Model' || !cfg.config || !Array.isArray(cfg.config.layers))
  die('modelTopology.model_config is not a Keras functional model');
const layers = cfg.config.layers.map((l) => {
  const out = {name: l.name, class: l.class_name,
               inputs: (l.inbound_nodes[0] || []).map((n) => n[0])};
  for (const k of KEEP) if (l.config[k] !== undefined) out[k] = l.config[k];
  return out;
});

// ---- the weights -----------------------------------------------------------
const tensors = [];
let offset = 0;
const chunks = [];
for (const group of model.weightsManifest) {
  if (group.paths.length !== 1 || group.paths[0] !== 'group1-shard1of1')
    die('unexpected weight shards: ' + JSON.stringify(group.paths));
  let at = 0;
  for (const w of group.weights) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    if (w.dtype !== 'float32' || !q || q.dtype !== 'uint8') die(w.name + ': not uint8-quantised float32');
    if (at + count > shard.length) die(w.name + ': runs past the end of the shard');
    const buf = Buffer.alloc(count * 4);
    for (let i = 0; i < count; ++i) buf.writeFloatLE(Math.fround(shard[at + i] * q.scale + q.min), i * 4);
    at += count;
    tensors.push({name: w.name, shape: w.shape, dtype: 'f32', offset, bytes: count * 4});
    chunks.push(buf);
    offset += count * 4;
  }
  if (at !== shard.length) die('the shard holds ' + shard.length + ' bytes, the manifest ' + at);
}

// ---- the GenLab model file ("GENLABMF" | u32 1 | u32 header length | header | payload | u32 crc32)
const meta = {
  format: 'mobilenet_v2-keras-1',
  source: 'npm nsfwjs@4.3.0, dist/models/mobilenet_v2 (MIT licence)',
  input: 'RGB / 255 (nsfwjs divides by 255), channels last in Keras',
  quantisation: 'uint8, de-quantised as tfjs: q * scale + min, float32',
  keras_version: model.modelTopology.keras_version || '',
  layers,
};
const header = Buffer.from(JSON.stringify({format: 'genlab-model', lab: 'style', meta, tensors}), 'utf8');
const head = Buffer.alloc(16);
head.write('GENLABMF', 0, 'latin1');
head.writeUInt32LE(1, 8);
head.writeUInt32LE(header.length, 12);
const body = Buffer.concat([header, ...chunks]);

const table = new Uint32Array(256);
for (let n = 0; n < 256; ++n) {
  let c = n;
  for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}
let crc = 0xffffffff;
for (let i = 0; i < body.length; ++i) crc = table[(crc ^ body[i]) & 0xff] ^ (crc >>> 8);
const tail = Buffer.alloc(4);
tail.writeUInt32LE((crc ^ 0xffffffff) >>> 0, 0);

// Atomic: a temporary file in the same folder, then rename.
const tmp = outPath + '.tmp' + process.pid;
const fd = fs.openSync(tmp, 'w');
for (const b of [head, body, tail]) fs.writeSync(fd, b);
fs.fsyncSync(fd);
fs.closeSync(fd);
fs.renameSync(tmp, outPath);
console.log('convert-mobilenet: wrote ' + outPath + ' (' + tensors.length + ' tensors, ' +
            layers.length + ' layers, ' + (offset / 1e6).toFixed(1) + ' MB of float32)');
