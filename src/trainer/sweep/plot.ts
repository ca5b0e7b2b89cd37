/**
 * The sweep report's picture: test accuracy against FLOPs, one point per finished task, coloured
 * by setting. Drawn by Vega-Lite (compiled to a Vega spec, rendered to SVG in Node without a
 * canvas) and turned into a PNG by sharp.
 */
import { loadSharp } from '../image-codec';

export interface PlotPoint {
  task: number;
  seed: number;
  setting: string;
  mflops: number;
  accuracy: number;
}

/** A Vega-Lite chart as SVG, rendered in Node without a canvas (the sweep report, bench:search). */
export async function renderVegaLiteSvg(spec: Record<string, unknown>): Promise<string> {
  // ESM-only packages: loaded when a chart is drawn, not when the CLI starts.
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function accuracyFlopsSvg(points: PlotPoint[], title: string): Promise<string> {
  return renderVegaLiteSvg({
    title,
    width: 480,
    height: 320,
    background: 'white',
    data: { values: points },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 90, opacity: 0.85 },
        encoding: {
          x: { field: 'mflops', type: 'quantitative', title: 'MFLOPs (MorphNet convention)', scale: { zero: false } },
          y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } },
          color: { field: 'setting', type: 'nominal', title: 'setting' },
          tooltip: [{ field: 'task' }, { field: 'seed' }, { field: 'setting' }, { field: 'mflops' }, { field: 'accuracy' }],
        },
      },
      {
        mark: { type: 'text', dx: 8, align: 'left', fontSize: 10 },
        encoding: {
          x: { field: 'mflops', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          text: { field: 'seed', type: 'nominal', format: '' },
        },
      },
    ],
  });
}

export async function svgToPng(svg: string): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
