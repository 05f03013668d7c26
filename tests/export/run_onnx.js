// Runs an exported ONNX model in ONNX Runtime (onnxruntime-node, on the CPU)
// for the export tests, and prints its input and output names and the output:
//
//   NODE_PATH=BUILD/npm/node_modules node run_onnx.js MODEL.onnx INPUTS.json
//
// INPUTS.json: {"shape": [N, ...], "data": [float, ...]} for the input "input".
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main([model, inputs]) {
  const spec = JSON.parse(fs.readFileSync(inputs, 'utf8'));
  const session = await ort.InferenceSession.create(model, {executionProviders: ['cpu']});
  const input = new ort.Tensor('float32', Float32Array.from(spec.data), spec.shape);
  const result = await session.run({input});
  const output = result.output;
  process.stdout.write(JSON.stringify({
    inputs: session.inputNames,
    outputs: session.outputNames,
    dims: Array.from(output.dims),
    data: Array.from(output.data),
  }) + '\n');
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e && e.message ? e.message : String(e));
  process.exit(1);
});
