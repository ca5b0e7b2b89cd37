#!/usr/bin/env python3
"""PyTorch side of `npm run bench:engine`: trains and runs the same networks as the TF.js benchmark.

The Node benchmark writes a spec file (the resolved architecture graphs, batch norm and Adam
settings, timing plan) and runs this script with it; the script prints one JSON object on stdout.
Networks are built from the resolved graph exactly as src/trainer/model/build.ts builds the
standard block style:
  conv (no bias, 'same') -> BN -> ReLU, except the last conv of a block, whose BN output is added
  to the shortcut before the ReLU; a shortcut whose channels or size differ gets a 1x1 conv
  (stride of the block, no bias) + BN; pools are 'valid'; the first dense layer follows global
  average pooling and has a ReLU; the classifier follows global average pooling when there is
  no dense layer.
Loss: cross-entropy of the softmax outputs (computed from the logits, which is the same function
without the 1e-7 clip of the TF.js loss), Adam with the TF.js settings.

Usage: python3 bench/pytorch_bench.py SPEC.json   (bench:workers writes SPEC.json; one JSON object out)
       python3 bench/pytorch_bench.py --serve      (bench:engine: one JSON request per stdin line,
                                                    one JSON answer per stdout line; see serve())
"""
import json
import math
import resource
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # The Node side reports this and carries on without PyTorch.
    print(json.dumps({"engine": "pytorch", "ok": False, "reason": f"torch is not importable: {error}"}))
    sys.exit(0)


def same_padding(size, kernel, stride):
    """Symmetric padding giving TF's 'same' output size ceil(size/stride).

    TF pads an odd total more at the bottom/right; the symmetric ceil(total/2) gives the same
    output size and the same amount of work, which is what a throughput comparison needs.
    """
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return (total + 1) // 2, out


class GraphNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        if spec["blockStyle"] != "standard":
            raise ValueError(f"model {spec['id']}: only the standard block style is built here, got {spec['blockStyle']}")
        bn = spec["batchNorm"]
        # Keras momentum m keeps m of the old statistic; PyTorch's momentum is the new sample's weight.
        self.bn_args = dict(eps=bn["epsilon"], momentum=1.0 - bn["momentum"])
        self.spec = spec
        self.mods = nn.ModuleDict()
        self.skip_from = {s["fromIndex"]: s for s in spec["skips"]}
        self.skip_to = {s["toIndex"]: s for s in spec["skips"]}
        self.has_dense = any(l["kind"] == "dense" for l in spec["layers"])
        self.pools = {}
        for i, layer in enumerate(spec["layers"]):
            key = f"l{i}"
            kind = layer["kind"]
            h, w, cin = layer["inShape"]
            if kind == "conv":
                k, s = layer["kernel"], layer["stride"]
                ph, oh = same_padding(h, k, s)
                pw, ow = same_padding(w, k, s)
                if [oh, ow] != layer["outShape"][:2]:
                    raise ValueError(f"layer {layer['id']}: padding gives {oh}x{ow}, graph says {layer['outShape'][:2]}")
                self.mods[key] = nn.Sequential(
                    nn.Conv2d(cin, layer["width"], k, stride=s, padding=(ph, pw), bias=False),
                    nn.BatchNorm2d(layer["width"], **self.bn_args),
                )
            elif kind == "dense":
                self.mods[key] = nn.Linear(cin, layer["units"])
            elif kind == "pool":
                size = (min(layer["size"], h), min(layer["size"], w))
                self.pools[key] = (layer["pool"], size, layer["stride"])
            to = self.skip_to.get(i)
            if to is not None and to["adapter"]["projection"] is not None:
                p = to["adapter"]["projection"]
                self.mods[f"proj{i}"] = nn.Sequential(
                    nn.Conv2d(p["inChannels"], p["outChannels"], 1, stride=p["stride"], bias=False),
                    nn.BatchNorm2d(p["outChannels"], **self.bn_args),
                )
        last = spec["layers"][-1]["outShape"][2] if self.has_dense else self._last_channels()
        self.classifier = nn.Linear(last, spec["numClasses"])
        self._glorot()

    def _last_channels(self):
        channels = self.spec["input"][2]
        for i, layer in enumerate(self.spec["layers"]):
            if layer["kind"] != "pool":
                channels = layer["outShape"][2]
            to = self.skip_to.get(i)
            if to is not None and to["adapter"]["projection"] is not None:
                channels = to["adapter"]["projection"]["outChannels"]
        return channels

    def _glorot(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        shortcuts = {}
        for i, layer in enumerate(self.spec["layers"]):
            key = f"l{i}"
            if i in self.skip_from:
                shortcuts[i] = x
            kind = layer["kind"]
            if kind == "conv":
                x = self.mods[key](x)
                if not layer["endsBlock"]:
                    x = F.relu(x)
            elif kind == "pool":
                pool, size, stride = self.pools[key]
                x = F.max_pool2d(x, size, stride) if pool == "max" else F.avg_pool2d(x, size, stride)
            elif kind == "dense":
                if layer["poolsGlobally"]:
                    x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
                x = F.relu(self.mods[key](x))
            to = self.skip_to.get(i)
            if to is not None:
                s = shortcuts.pop(to["fromIndex"])
                proj = f"proj{i}"
                if proj in self.mods:
                    s = self.mods[proj](s)
                x = F.relu(x + s)
        if not self.has_dense:
            x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.classifier(x)


def count_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def make_model(spec, layout, seed):
    torch.manual_seed(seed)
    model = GraphNet(spec)
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
    return model


def make_batch(spec, batch_size, layout, seed):
    g = torch.Generator().manual_seed(seed)
    h, w, c = spec["input"]
    x = torch.randn(batch_size, c, h, w, generator=g)
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, spec["numClasses"], (batch_size,), generator=g)
    return x, y


def time_loop(step, batch_size, seconds, steps, warmup, min_steps=3):
    last = None
    for _ in range(warmup):
        last = step()
    cpu_started = time.process_time()
    started = time.perf_counter()
    n = 0
    while True:
        last = step()
        n += 1
        elapsed = time.perf_counter() - started
        if (steps is not None and n >= steps) or (steps is None and n >= min_steps and elapsed >= seconds):
            break
    elapsed = time.perf_counter() - started
    timing = {"steps": n, "batchSize": batch_size, "seconds": elapsed,
              "imagesPerSecond": n * batch_size / elapsed, "msPerStep": elapsed * 1000 / n,
              "cpuSeconds": time.process_time() - cpu_started}
    return timing, last


def prepare_training(spec, layout, seed, batch_size, adam):
    """The model, one fixed batch and its Adam optimizer, as every timed run of a model starts."""
    model = make_model(spec, layout, seed)
    x, y = make_batch(spec, batch_size, layout, seed)
    opt = torch.optim.Adam(model.parameters(), lr=adam["learningRate"],
                           betas=(adam["beta1"], adam["beta2"]), eps=adam["epsilon"])
    return model, x, y, opt


def make_steps(model, x, y, opt):
    """The timed training step (returns the loss and the correct count) and inference step."""

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        # Read the loss and the correct count back each step, as the TF.js step does.
        correct = (logits.argmax(1) == y).sum().item()
        return loss.item(), correct

    def infer_step():
        model.eval()
        with torch.no_grad():
            F.softmax(model(x), dim=1).sum().item()

    return train_step, infer_step


def bench_model(spec, layout, plan, adam):
    model, x, y, opt = prepare_training(spec, layout, plan["seed"], plan["batchSize"], adam)
    train_step, infer_step = make_steps(model, x, y, opt)

    train, last = time_loop(train_step, plan["batchSize"], plan["seconds"], plan["steps"], plan["warmupSteps"])
    infer, _ = time_loop(infer_step, plan["batchSize"], plan["seconds"] / 2, plan["steps"], plan["warmupSteps"])
    return {"model": spec["id"], "train": train, "infer": infer, "lastLoss": last[0],
            "peakRssMb": peak_rss_mb(), "params": count_params(model)}


def layout_trial(spec, layout, plan, adam):
    """A short training run per layout, to pick the faster one for the timed runs."""
    model, x, y, opt = prepare_training(spec, layout, plan["seed"], plan["batchSize"], adam)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    timing, _ = time_loop(step, plan["batchSize"], plan["trialSeconds"], None, 1, min_steps=2)
    return timing["imagesPerSecond"]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class Server:
    """The long-lived PyTorch side of bench:engine's interleaved rounds.

    Models are built once per (model, layout) and keep training from round to round, so neither
    Python's start-up nor a model build is inside a timed round. The Node side chooses each
    model's layout from probe rounds and names it in every round request.
    """

    def __init__(self, setup):
        torch.set_num_threads(setup["threads"])
        self.setup = setup
        self.specs = {m["id"]: m for m in setup["models"]}
        self.prepared = {}

    def prepare(self, model_id, layout):
        key = (model_id, layout)
        if key not in self.prepared:
            if model_id not in self.specs:
                raise ValueError(f"unknown model {model_id!r}; the setup named {sorted(self.specs)}")
            if layout not in ("channels_last", "contiguous"):
                raise ValueError(f"layout {layout!r}: expected channels_last or contiguous")
            spec, adam, seed = self.specs[model_id], self.setup["adam"], self.setup["seed"]
            model, x, y, opt = prepare_training(spec, layout, seed, self.setup["batchSize"], adam)
            self.prepared[key] = {"model": model, "x": x, "y": y, "opt": opt, "warmed": set(), "lastLoss": float("nan")}
        return self.prepared[key]

    def round(self, req):
        p = self.prepare(req["model"], req["layout"])
        model, x, y, opt = p["model"], p["x"], p["y"], p["opt"]
        mode = req["mode"]
        timed_train, infer_step = make_steps(model, x, y, opt)

        def train_step():
            p["lastLoss"] = timed_train()[0]

        step = train_step if mode == "train" else infer_step
        warmup = 0 if mode in p["warmed"] else self.setup["warmupSteps"]
        p["warmed"].add(mode)
        timing, _ = time_loop(step, self.setup["batchSize"], req["seconds"], req.get("steps"), warmup, min_steps=2)
        return {"timing": timing, "lastLoss": p["lastLoss"]}

    def finish(self):
        params = {}
        for (model_id, _layout), p in self.prepared.items():
            params[model_id] = count_params(p["model"])
        return {"peakRssMb": peak_rss_mb(), "params": params}


def matmul_peak(size, seconds):
    """Best GFLOP/s of n x n by n x n float32 products over a few timed repeats, and how they ran.

    Debian's PyTorch has a generic BLAS behind torch.mm, far below what the CPU does; its
    convolutions run on oneDNN, so the product goes through oneDNN too (mkldnn_linear) where
    this build has it.
    """
    g = torch.Generator().manual_seed(1)
    a = torch.randn(size, size, generator=g)
    b = torch.randn(size, size, generator=g)
    linear = getattr(torch._C._nn, "mkldnn_linear", None)
    if linear is not None and torch.backends.mkldnn.is_available():
        a, b = a.to_mkldnn(), b.to_mkldnn()
        product, how = (lambda: linear(a, b, None)), "oneDNN (mkldnn_linear)"
    else:
        product, how = (lambda: torch.mm(a, b)), "torch.mm"
    product()
    best = 0.0
    until = time.perf_counter() + seconds
    while True:
        started = time.perf_counter()
        product()
        best = max(best, 2 * size ** 3 / (time.perf_counter() - started) / 1e9)
        if time.perf_counter() >= until:
            return best, how


def serve():
    """Answers one JSON request per stdin line: setup, round, peak, finish (bench/lib/pytorch.ts)."""
    server = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "setup":
                server = Server(req)
                answer = {"torchVersion": torch.__version__, "threads": torch.get_num_threads(),
                          "mkldnn": bool(torch.backends.mkldnn.is_available())}
            elif server is None:
                raise ValueError(f"request {op!r} before setup")
            elif op == "round":
                answer = server.round(req)
            elif op == "peak":
                gflops, how = matmul_peak(req["size"], req["seconds"])
                answer = {"gflops": gflops, "how": how, "threads": torch.get_num_threads()}
            elif op == "finish":
                answer = server.finish()
            else:
                raise ValueError(f"unknown request {op!r}; expected setup, round, peak or finish")
            answer["ok"] = True
        except Exception as error:  # The Node side reports the reason and carries on without PyTorch.
            answer = {"ok": False, "reason": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if answer.get("ok") and req.get("op") == "finish":
            return


def main():
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    if len(sys.argv) != 2:
        sys.stderr.write("usage: pytorch_bench.py SPEC.json | --serve (run by `npm run bench:workers` / `npm run bench:engine`)\n")
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    started = time.perf_counter()
    torch.set_num_threads(spec["threads"])
    plan, adam = spec["plan"], spec["adam"]
    trial = {"channels_last": {}, "contiguous": {}}
    for model_spec in spec["models"]:
        for layout in trial:
            trial[layout][model_spec["id"]] = layout_trial(model_spec, layout, plan, adam)
    # The layout that is faster in total over the models (one layout for the whole run).
    layout = max(trial, key=lambda name: sum(math.log(v) for v in trial[name].values()))
    models = [bench_model(m, layout, plan, adam) for m in spec["models"]]
    print(json.dumps({
        "engine": "pytorch", "ok": True, "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(), "layout": layout, "layoutTrial": trial,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "peakRssMb": peak_rss_mb(), "wallSeconds": time.perf_counter() - started, "models": models,
    }))


if __name__ == "__main__":
    main()
