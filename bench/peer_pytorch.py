"""The peer a class would otherwise use: the same network and loop in PyTorch,
driven from Python (Debian's python3-torch, the same libtorch as ours).

xor, 2-8-8 tanh, 2 logits, cross-entropy, SGD lr 0.03, batch 10, train and
test evaluation after every epoch. Reads the exact data our engine trains on.
Prints {"steps_per_second": ..., "test_accuracy": ...}.
"""
import json
import sys
import time

import torch
from torch import nn


def main(data_file, epochs, repeat):
    d = json.load(open(data_file))
    f = d["features"]
    xtr = torch.tensor(d["train_x"]).view(-1, f)
    ytr = torch.tensor(d["train_y"]).long()
    xte = torch.tensor(d["test_x"]).view(-1, f)
    yte = torch.tensor(d["test_y"]).long()
    best = None
    for _ in range(repeat):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(f, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
        opt = torch.optim.SGD(model.parameters(), lr=0.03)
        loss_fn = nn.CrossEntropyLoss()
        n = xtr.shape[0]
        steps = 0
        start = time.perf_counter()
        for _epoch in range(epochs):
            perm = torch.randperm(n)
            for i in range(0, n, 10):
                idx = perm[i:i + 10]
                opt.zero_grad()
                loss = loss_fn(model(xtr[idx]), ytr[idx])
                loss.backward()
                opt.step()
                steps += 1
                if not torch.isfinite(loss).item():  # the same divergence check we make
                    break
            with torch.no_grad():
                metrics = []
                for x, y in ((xtr, ytr), (xte, yte)):
                    out = model(x)
                    metrics.append((loss_fn(out, y).item(), (out.argmax(1) == y).float().mean().item()))
        seconds = time.perf_counter() - start
        result = {"steps_per_second": steps / seconds, "test_accuracy": metrics[1][1],
                  "threads": torch.get_num_threads()}
        if best is None or result["steps_per_second"] > best["steps_per_second"]:
            best = result
    print(json.dumps(best))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
