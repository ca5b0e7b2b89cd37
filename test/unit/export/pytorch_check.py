"""Checks an exported PyTorch module with real PyTorch (called by pytorch.test.ts).

argv: <folder with the .py> <module name> <weights file or -> <images.f32 NCHW> <count> <expected.f32 or -> <labels.i32>
Prints one JSON line: the state-dict check, the agreement with TF.js and one training step.
"""
import importlib
import json
import struct
import sys

import torch


def read_safetensors(path):
    """An independent reader of the format, to check the file against the module's state dict."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    header.pop("__metadata__", None)
    return {name: (info["dtype"], tuple(info["shape"])) for name, info in header.items()}


def main():
    folder, module_name, weights, images_file, count, expected_file, labels_file = sys.argv[1:8]
    count = int(count)
    sys.path.insert(0, folder)
    module = importlib.import_module(module_name)
    torch.manual_seed(0)
    model = module.Net()
    report = {}
    state = model.state_dict()
    if weights != "-":
        stored = read_safetensors(weights)
        report["sameNames"] = sorted(stored) == sorted(state)
        report["sameShapes"] = all(tuple(state[k].shape) == stored[k][1] for k in stored if k in state)
        module.load_weights(model, weights)
    c, h, w = module.IN_CHANNELS, module.INPUT_SIZE[0], module.INPUT_SIZE[1]
    with open(images_file, "rb") as f:
        images = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(count, c, h, w)
    with open(labels_file, "rb") as f:
        labels = torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long()
    model.eval()
    with torch.no_grad():
        probabilities = torch.cat([model(images[i : i + 500]).softmax(dim=1) for i in range(0, count, 500)])
    report["outputShape"] = list(probabilities.shape)
    if expected_file != "-":
        with open(expected_file, "rb") as f:
            expected = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(probabilities.shape)
        report["maxAbsDiff"] = float((probabilities - expected).abs().max())
        report["argmaxAgreement"] = float((probabilities.argmax(1) == expected.argmax(1)).float().mean())
    # One training step: the module trains as it is, batch norm in training mode included.
    model.train()
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss = torch.nn.functional.cross_entropy(model(images[:32]), labels[:32])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    report["trainLoss"] = float(loss)
    report["changedParameters"] = sum(int(not torch.equal(b, p)) for b, p in zip(before, model.parameters()))
    report["parameters"] = len(before)
    print(json.dumps(report))


main()
