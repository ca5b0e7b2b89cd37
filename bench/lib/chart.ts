/**
 * A Vega-Lite chart written as SVG (rendered in Node without a canvas) and PNG (the SVG through sharp).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

/** Writes `<base>.svg` and `<base>.png`; returns their paths. */
export async function writeChart(spec: Record<string, unknown>, base: string): Promise<string[]> {
  // ESM-only packages: loaded when a chart is drawn.
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  fs.mkdirSync(path.dirname(base), { recursive: true });
  fs.writeFileSync(`${base}.svg`, svg);
  await sharp(Buffer.from(svg), { density: 144 }).png().toFile(`${base}.png`);
  return [`${base}.svg`, `${base}.png`];
}
