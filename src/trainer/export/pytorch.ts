/**
 * Generates one dependency-free PyTorch file (torch only) from the exported graph
 * (docs/export.md, "PyTorch"): the layer templates of the architecture's block style, a `Net`
 * whose stages and blocks are written out one line each with the widths as a dictionary
 * argument, and a `load_weights` that reads the `.safetensors` file with torch alone. The
 * state-dict names of `Net` are the ExportParam torch names, which the weights file uses.
 */
import type { ExportGraph, ExportItem } from '../../core/export/graph';
import { EXPORT_BN_EPSILON } from '../../core/export/graph';
import type { SafetensorsEntry } from './safetensors';

export interface PytorchProvenance {
  /** Lines for the docstring's provenance paragraph. */
  lines: string[];
  /** Module name to import in the usage example (the file name without `.py`). */
  moduleName: string;
  /** The weights file's name, or null when none is written (a freshly initialised module). */
  weightsFile: string | null;
}

const PRELUDE = `import json
import struct
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn
`;

const HELPERS = `def same_pad(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    """Zero padding as TensorFlow's 'same': the output is ceil(size / stride) and the odd pixel
    of the padding goes at the bottom and right (PyTorch's own padding is symmetric)."""
    h, w = x.shape[-2:]
    ph = max((-(-h // stride) - 1) * stride + kernel - h, 0)
    pw = max((-(-w // stride) - 1) * stride + kernel - w, 0)
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


def pad_channels(x: torch.Tensor, channels: int) -> torch.Tensor:
    """Appends zero channels up to \`channels\`."""
    extra = channels - x.shape[1]
    return x if extra == 0 else F.pad(x, (0, 0, 0, 0, 0, extra))


def batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class Pool(nn.Module):
    """Max or average pooling without padding; the window shrinks to the map on smaller maps."""

    def __init__(self, kind: str, size: int, stride: int, channels: int):
        super().__init__()
        self.kind, self.size, self.stride, self.out_channels = kind, size, stride, channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kernel = (min(self.size, x.shape[-2]), min(self.size, x.shape[-1]))
        pool = F.max_pool2d if self.kind == "max" else F.avg_pool2d
        return pool(x, kernel, self.stride)


class Head(nn.Module):
    """Global average pooling, the hidden dense layers (ReLU) and the classifier (logits)."""

    def __init__(self, in_features: int, hidden: Sequence[int], num_classes: int):
        super().__init__()
        self.hidden = nn.ModuleList()
        for units in hidden:
            self.hidden.append(nn.Linear(in_features, units))
            in_features = units
        self.classifier = nn.Linear(in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.mean(dim=(2, 3))
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.classifier(x)
`;

const STANDARD_LAYERS = `class ConvBN(nn.Module):
    """One conv layer: conv (no bias) -> batch norm -> ReLU (no ReLU for a block's last conv,
    whose ReLU follows the addition)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, relu: bool = True):
        super().__init__()
        self.kernel, self.stride, self.relu, self.out_channels = kernel, stride, relu, out_channels
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, stride, bias=False)
        self.bn = batch_norm(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn(self.conv(same_pad(x, self.kernel, self.stride)))
        return F.relu(x) if self.relu else x


class Block(nn.Module):
    """A residual block: its conv layers, and a 1x1 conv + batch norm projection on the shortcut
    when the block changes the channels or the spatial size; ReLU after the addition."""

    def __init__(self, in_channels: int, convs: Sequence[Tuple[int, int, int]], shortcut_stride: int):
        super().__init__()
        layers, c = [], in_channels
        for i, (width, kernel, stride) in enumerate(convs):
            layers.append(ConvBN(c, width, kernel, stride, relu=i < len(convs) - 1))
            c = width
        self.layers = nn.Sequential(*layers)
        self.projection: Optional[nn.Sequential] = None
        if shortcut_stride > 1 or c != in_channels:
            self.projection = nn.Sequential(nn.Conv2d(in_channels, c, 1, shortcut_stride, bias=False), batch_norm(c))
        self.out_channels = c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.projection is None else self.projection(x)
        return F.relu(self.layers(x) + shortcut)
`;

const REFERENCE_LAYERS = `class ConvBN(nn.Module):
    """One conv layer of the reference style: batch norm -> conv (with bias) -> ReLU."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int):
        super().__init__()
        self.kernel, self.stride, self.out_channels = kernel, stride, out_channels
        self.bn = batch_norm(in_channels)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, stride, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv(same_pad(self.bn(x), self.kernel, self.stride)))


class Block(nn.Module):
    """A residual block of the reference style: the narrower of block output and shortcut is
    zero-padded to the wider one's channels, and a 1x1 conv (with bias) strides the shortcut
    when the block changes the spatial size; no ReLU after the addition."""

    def __init__(self, in_channels: int, convs: Sequence[Tuple[int, int, int]], shortcut_stride: int):
        super().__init__()
        layers, c = [], in_channels
        for width, kernel, stride in convs:
            layers.append(ConvBN(c, width, kernel, stride))
            c = width
        self.layers = nn.Sequential(*layers)
        self.out_channels = max(in_channels, c)
        self.projection: Optional[nn.Conv2d] = None
        if shortcut_stride > 1:
            self.projection = nn.Conv2d(self.out_channels, self.out_channels, 1, shortcut_stride, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = pad_channels(x, self.out_channels)
        if self.projection is not None:
            shortcut = self.projection(shortcut)
        return pad_channels(self.layers(x), self.out_channels) + shortcut
`;

const LOADER = `def load_weights(model: nn.Module, path: str, strict: bool = True) -> Dict[str, str]:
    """Loads a .safetensors file into the model with torch alone (an 8-byte little-endian header
    length, a JSON header, then the little-endian tensors) and returns the file's metadata."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + length + begin : 8 + length + end])
        state[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    model.load_state_dict(state, strict=strict)
    return header.get("__metadata__", {})
`;

const py = (value: string): string => JSON.stringify(value);

function itemLine(item: ExportItem, stageKey: string, style: ExportGraph['style']): string {
  const w = (id: string): string => `w[${py(id)}]`;
  switch (item.kind) {
    case 'conv': {
      const c = item.conv;
      return `c = self.add(self.${stageKey}, ${py(item.key)}, ConvBN(c, ${w(c.id)}, kernel=${c.kernel}, stride=${c.stride}))`;
    }
    case 'pool':
      return `c = self.add(self.${stageKey}, ${py(item.key)}, Pool(${py(item.pool)}, size=${item.size}, stride=${item.stride}, channels=c))`;
    case 'block': {
      const convs = item.convs.map((c) => `(${w(c.id)}, ${c.kernel}, ${c.stride})`).join(', ');
      void style;
      return `c = self.add(self.${stageKey}, ${py(item.key)}, Block(c, [${convs}], shortcut_stride=${item.shortcutStride}))`;
    }
  }
}

/** The `.py` source. */
export function pytorchSource(graph: ExportGraph, provenance: PytorchProvenance, bnMomentum: number): string {
  const widths: [string, number][] = [];
  for (const layer of graph.arch.layers) {
    if (layer.kind === 'conv') widths.push([layer.id, layer.width]);
    if (layer.kind === 'dense') widths.push([layer.id, layer.units]);
  }
  const [channels, height, width] = graph.inputShape;
  const styleText =
    graph.style === 'standard'
      ? 'standard (conv -> batch norm -> ReLU basic blocks with 1x1 projection shortcuts)'
      : 'reference (batch norm -> conv -> ReLU layers, zero-padded shortcuts)';
  const usage = provenance.weightsFile
    ? [`    from ${provenance.moduleName} import Net, load_weights`, '', '    model = Net()', `    load_weights(model, ${py(provenance.weightsFile)})`, '    model.eval()', '    probabilities = model(images).softmax(dim=1)']
    : [`    from ${provenance.moduleName} import Net`, '', '    model = Net()  # freshly initialised: train it', '    logits = model(images)'];
  const docstring = [
    `"""The network a ResBuilder search found, as a PyTorch module (generated; torch is the only dependency).`,
    '',
    ...provenance.lines,
    `Block style: ${styleText}.`,
    '',
    `Input: float images [batch, ${channels}, ${height}, ${width}] (NCHW), normalised as in training (pixel values 0-255,`,
    `minus the per-channel mean, over the standard deviation, when the run normalised its data).`,
    `Output: logits [batch, ${graph.numClasses}]; their softmax equals the TF.js model's output.`,
    '',
    'Usage:',
    ...usage,
    '',
    'Net(widths={...}) builds the same layers with other widths (keys: the layer ids of the .arch.json),',
    'e.g. to retrain a narrower or wider variant.',
    '"""',
  ];
  const body: string[] = [];
  for (const stage of graph.stages) {
    const [h, wd, c] = stage.inShape;
    body.push('', `        # ${stage.key}: ${h}x${wd}x${c} in`, `        self.${stage.key} = nn.Sequential()`);
    for (const item of stage.items) body.push(`        ${itemLine(item, stage.key, graph.style)}`);
  }
  const hidden = graph.hidden.map((d) => `w[${py(d.id)}]`).join(', ');
  const forward = graph.stages.map((s) => `        x = self.${s.key}(x)`);
  const source = [
    ...docstring,
    PRELUDE,
    '# The widths the search found, by layer id.',
    'WIDTHS: Dict[str, int] = {',
    ...widths.map(([id, n]) => `    ${py(id)}: ${n},`),
    '}',
    `IN_CHANNELS = ${channels}`,
    `NUM_CLASSES = ${graph.numClasses}`,
    `INPUT_SIZE = (${height}, ${width})`,
    `# TF.js batch norm: epsilon ${EXPORT_BN_EPSILON}, moving averages decaying by ${bnMomentum}; PyTorch's momentum is 1 - decay.`,
    `BN_EPS = ${EXPORT_BN_EPSILON}`,
    `BN_MOMENTUM = ${Number((1 - bnMomentum).toPrecision(6))}`,
    '',
    '',
    HELPERS,
    '',
    graph.style === 'standard' ? STANDARD_LAYERS : REFERENCE_LAYERS,
    '',
    'class Net(nn.Module):',
    `    """The found network: ${graph.stages.length} stage(s) of layers and residual blocks, then the head."""`,
    '',
    '    def __init__(self, widths: Optional[Dict[str, int]] = None, in_channels: int = IN_CHANNELS, num_classes: int = NUM_CLASSES):',
    '        super().__init__()',
    '        w = {**WIDTHS, **(widths or {})}',
    '        c = in_channels',
    ...body,
    '',
    `        self.head = Head(c, [${hidden}], num_classes)`,
    '',
    '    @staticmethod',
    '    def add(stage: nn.Sequential, name: str, module: nn.Module) -> int:',
    '        stage.add_module(name, module)',
    '        return module.out_channels',
    '',
    '    def forward(self, x: torch.Tensor) -> torch.Tensor:',
    ...forward,
    '        return self.head(x)',
    '',
    '',
    LOADER,
  ];
  return `${source.join('\n').replace(/\n{3,}/g, '\n\n\n')}`;
}

/**
 * The state dict as safetensors entries: the exported weights under their PyTorch names, plus
 * every batch norm's `num_batches_tracked` (0: TF.js does not count steps), which a strict
 * `load_state_dict` requires.
 */
export function pytorchStateDict(graph: ExportGraph, weights: ReadonlyMap<string, { values: Float32Array }>): Map<string, SafetensorsEntry> {
  const tensors = new Map<string, SafetensorsEntry>();
  for (const param of graph.params) {
    const entry = weights.get(param.torchName);
    if (!entry) throw new Error(`No values for the weight "${param.torchName}" (${param.tfName}).`);
    tensors.set(param.torchName, { dtype: 'F32', shape: param.shape, values: entry.values });
  }
  for (const op of graph.ops) {
    if (op.op === 'batchNorm') tensors.set(`${op.params.torchModule}.num_batches_tracked`, { dtype: 'I64', shape: [], values: [0] });
  }
  return tensors;
}
