"""The peer for any lesson: the lesson's network and loop written the way a
class would write them in PyTorch from Python, on the same data.

    peer_torch_job.py JOB.json DATA_DIR DEVICE EPOCHS

JOB.json is `aisandbox-cli job LESSON`; DATA_DIR holds what `bench_train --job
JOB.json --dump-raw DATA_DIR` wrote. The model mirrors runtime/engine/
torch_net.cpp layer for layer (activations as functions, an LSTM/GRU passes
on its last step, a linear output layer). The loop does what ours does: shuffled
batches, the loss read back and checked every step, train and test evaluated
after every epoch. Prints one JSON object; steps_per_second leaves out the
first epoch (CUDA and cuDNN warm up there), as bench/gpu.py does for ours.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
               "leaky_relu": lambda x: F.leaky_relu(x, 0.01), "gelu": F.gelu}


class Net(nn.Module):
    def __init__(self, layers, input_shape, outputs):
        super().__init__()
        self.kinds, self.acts = [], []
        self.layers = nn.ModuleList()
        shape = list(input_shape)
        for l in layers:
            t = l["type"]
            if t == "dense":
                m = nn.Linear(shape[0], l["units"])
                shape = [l["units"]]
            elif t == "conv2d":
                pad = (l["kernel"] - 1) // 2 if l.get("padding") == "same" else 0
                stride = l.get("stride", 1)
                m = nn.Conv2d(shape[0], l["filters"], l["kernel"], stride=stride, padding=pad)
                size = lambda n: (n + 2 * pad - l["kernel"]) // stride + 1
                shape = [l["filters"], size(shape[1]), size(shape[2])]
            elif t == "maxpool2d":
                m = nn.MaxPool2d(l["size"])
                shape = [shape[0], shape[1] // l["size"], shape[2] // l["size"]]
            elif t == "flatten":
                m = nn.Flatten()
                shape = [math.prod(shape)]
            elif t == "dropout":
                m = nn.Dropout(l["rate"])
            elif t == "batchnorm":
                m = nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])
            elif t in ("lstm", "gru"):
                m = (nn.LSTM if t == "lstm" else nn.GRU)(shape[1], l["units"], batch_first=True)
                shape = [l["units"]]
            else:
                raise SystemExit(f"peer: no module for layer type {t}")
            self.layers.append(m)
            self.kinds.append(t)
            self.acts.append(ACTIVATIONS.get(l.get("activation", "linear")))
        self.output = nn.Linear(math.prod(shape), outputs)

    def forward(self, x):
        for kind, act, m in zip(self.kinds, self.acts, self.layers):
            x = m(x)
            if kind in ("lstm", "gru"):
                x = x[0][:, -1]
            elif act is not None and kind in ("dense", "conv2d"):
                x = act(x)
        return self.output(x)


def load(data_dir, device):
    meta = json.load(open(os.path.join(data_dir, "meta.json")))
    shape = meta["input_shape"]

    def tensor(name, rows, per_row):
        a = np.fromfile(os.path.join(data_dir, name), dtype=np.float32).reshape([rows] + per_row)
        return torch.from_numpy(a).to(device)

    x = tensor("train_x.f32", meta["train"], shape), tensor("test_x.f32", meta["test"], shape)
    y = tensor("train_y.f32", meta["train"], []), tensor("test_y.f32", meta["test"], [])
    if meta["classification"]:
        y = tuple(t.long() for t in y)
    return meta, x, y


def main(job_file, data_dir, device, epochs):
    job = json.load(open(job_file))
    t = job["training"]
    torch.manual_seed(t["seed"])
    meta, (xtr, xte), (ytr, yte) = load(data_dir, device)
    classification = meta["classification"]
    model = Net(job["model"]["layers"], meta["input_shape"], meta["outputs"]).to(device)
    if t["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=t["learning_rate"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=t["learning_rate"],
                              momentum=0.9 if t["optimizer"] == "momentum" else 0.0)
    loss_fn = (lambda out, y: F.cross_entropy(out, y)) if classification else \
        (lambda out, y: F.mse_loss(out.view(-1), y))
    n, batch = xtr.shape[0], min(t["batch_size"], xtr.shape[0])

    def evaluate(x, y):
        model.eval()
        with torch.no_grad():
            loss = correct = 0.0
            for at in range(0, x.shape[0], 4096):
                out, yt = model(x[at:at + 4096]), y[at:at + 4096]
                if classification:
                    loss += F.cross_entropy(out, yt, reduction="sum").item()
                    correct += (out.argmax(1) == yt).sum().item()
                else:
                    loss += (out.view(-1) - yt).pow(2).sum().item()
        model.train()
        return loss / x.shape[0], correct / x.shape[0]

    steps = 0
    started = None
    for epoch in range(epochs):
        if epoch == 1:
            started, steps = time.perf_counter(), 0
        order = torch.randperm(n)
        for at in range(0, n, batch):
            idx = order[at:at + batch].to(device)
            opt.zero_grad()
            loss = loss_fn(model(xtr.index_select(0, idx)), ytr.index_select(0, idx))
            loss.backward()
            opt.step()
            steps += 1
            if not math.isfinite(loss.item()):
                raise SystemExit("peer: diverged")
        evaluate(xtr, ytr)
        test_loss, test_acc = evaluate(xte, yte)
    seconds = time.perf_counter() - started
    result = {"steps_per_second": steps / seconds, "test_loss": test_loss, "torch_version": torch.__version__,
              "threads": torch.get_num_threads()}
    if classification:
        result["test_accuracy"] = test_acc
    if device.startswith("cuda"):
        result["gpu"] = torch.cuda.get_device_name(0)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
