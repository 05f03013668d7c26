// Peer: TensorFlow Playground's own JavaScript engine (nn.ts) under Node.js,
// driven the way the Playground's page drives it: per point forwardProp +
// backProp, updateWeights every batch, train and test loss after every epoch.
//
// Its code is not part of AI Sandbox. Point PLAYGROUND_NN at a CommonJS build
// of src/nn.ts from a checkout of github.com/tensorflow/playground, e.g.
//   npx -p typescript tsc --module commonjs --target es2017 --outDir /tmp/pg src/nn.ts
//   PLAYGROUND_NN=/tmp/pg/nn.js make bench
//
// usage: node peer_playground.js DATA.json EPOCHS REPEAT
"use strict";
const fs = require("fs");

const nnPath = process.env.PLAYGROUND_NN;
if (!nnPath || !fs.existsSync(nnPath)) {
  console.log(JSON.stringify({ skipped: "set PLAYGROUND_NN to a CommonJS build of the Playground's src/nn.ts" }));
  process.exit(0);
}
const nn = require(nnPath);
const [dataFile, epochsArg, repeatArg] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(dataFile, "utf8"));
const f = data.features;
const rows = (xs, ys) => ys.map((y, i) => ({ x: xs.slice(i * f, i * f + f), label: y > 0.5 ? 1 : -1 }));
const train = rows(data.train_x, data.train_y);
const test = rows(data.test_x, data.test_y);
const epochs = Number(epochsArg), repeat = Number(repeatArg), batch = 10, lr = 0.03;

function loss(net, points) {
  let sum = 0, correct = 0;
  for (const p of points) {
    const out = nn.forwardProp(net, p.x);
    sum += nn.Errors.SQUARE.error(out, p.label);
    correct += (out >= 0 ? 1 : -1) === p.label ? 1 : 0;
  }
  return [sum / points.length, correct / points.length];
}

let best = null;
for (let r = 0; r < repeat; r++) {
  const ids = Array.from({ length: f }, (_, i) => "x" + i);
  const net = nn.buildNetwork([f, 8, 8, 1], nn.Activations.TANH, nn.Activations.TANH, null, ids, false);
  let steps = 0, metrics = null;
  const start = process.hrtime.bigint();
  for (let e = 0; e < epochs; e++) {
    const order = train.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    order.forEach((p, i) => {
      nn.forwardProp(net, p.x);
      nn.backProp(net, p.label, nn.Errors.SQUARE);
      if ((i + 1) % batch === 0) {
        nn.updateWeights(net, lr, 0);
        steps++;
      }
    });
    metrics = [loss(net, train), loss(net, test)];
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result = { steps_per_second: steps / seconds, test_accuracy: metrics[1][1] };
  if (!best || result.steps_per_second > best.steps_per_second) best = result;
}
console.log(JSON.stringify(best));
