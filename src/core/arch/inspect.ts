/**
 * A plain-text table of an architecture for `resbuilder inspect <file.arch.json>`: stages (runs of
 * layers at one spatial resolution), blocks, every layer's geometry, and its parameters and FLOPs
 * (the same counts as cost.ts, so the totals match the run's metrics).
 */
import type { Architecture } from './types';
import { costBreakdown, type LayerCost } from './cost';
import { resolveArchitecture, type Shape } from './resolve';

const HEADERS = ['stage', 'block', 'kind', 'id', 'k', 's', 'width', 'output', 'params', 'FLOPs'] as const;
const RIGHT_ALIGNED = new Set<string>(['k', 's', 'width', 'params', 'FLOPs']);

function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

function shapeText(shape: Shape): string {
  return `${shape[0]}×${shape[1]}×${shape[2]}`;
}

export function inspectTable(arch: Architecture): string {
  const resolved = resolveArchitecture(arch);
  const rows = costBreakdown(arch);
  const layerById = new Map(arch.layers.map((l) => [l.id, l]));
  const cells: string[][] = [];
  let stage = 0;
  let stageKey = '';
  for (const row of rows) {
    const key = rowStageKey(row);
    let stageCell = '';
    if (key !== stageKey) {
      stageKey = key;
      stage += 1;
      stageCell = key === 'head' ? 'head' : `${stage} (${key})`;
    }
    const layer = layerById.get(row.id);
    let k = '';
    let s = '';
    let width = String(row.outShape[2]);
    let kind: string = row.kind;
    if (layer?.kind === 'conv') {
      k = String(layer.kernel);
      s = String(layer.stride);
    } else if (layer?.kind === 'pool') {
      kind = `${layer.pool}pool`;
      k = String(layer.size);
      s = String(layer.stride);
      width = '';
    } else if (row.kind === 'projection') {
      const skip = resolved.skips.find((x) => x.skip.id === row.blockId);
      k = '1';
      s = String(skip?.adapter.projection?.stride ?? 1);
    }
    cells.push([stageCell, row.blockId ?? '', kind, row.id, k, s, width, shapeText(row.outShape), grouped(row.params), grouped(row.flops)]);
  }
  const totals = rows.reduce((acc, r) => ({ params: acc.params + r.params, flops: acc.flops + r.flops }), { params: 0, flops: 0 });
  cells.push(['total', '', '', '', '', '', '', '', grouped(totals.params), grouped(totals.flops)]);

  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const format = (c: readonly string[]): string =>
    c
      .map((cell, i) => (RIGHT_ALIGNED.has(HEADERS[i]) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [format(HEADERS), rule, ...cells.slice(0, -1).map(format), rule, format(cells[cells.length - 1])];
  const input = `${arch.input.height}×${arch.input.width}×${arch.input.channels}`;
  const summary = [
    `block style: ${arch.blockStyle}   input: ${input}   classes: ${arch.numClasses}`,
    `depth: ${resolved.depth} weighted layers (convs, dense layers and the classifier)   blocks: ${arch.skips.length}`,
    `parameters: ${grouped(totals.params)} trainable   FLOPs: ${grouped(totals.flops)} (${totals.flops.toExponential(3)}, MorphNet convention)`,
  ];
  return `${[...summary, '', ...lines].join('\n')}\n`;
}

function rowStageKey(row: LayerCost): string {
  if (row.kind === 'dense' || row.kind === 'classifier') return 'head';
  return `${row.outShape[0]}×${row.outShape[1]}`;
}
