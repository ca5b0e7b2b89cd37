/**
 * The doctor's report as text: a table of every backend, then the reasons and fixes, for the
 * command line and the extension's output channel alike.
 */
import type { DoctorReport } from './backend-doctor';

function pad(cells: string[][]): string[] {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

export function formatImagesPerSecond(value: number | undefined): string {
  if (value === undefined) return '-';
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} img/s`;
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  lines.push(
    report.auto === null
      ? 'No compute backend works here.'
      : `A run with backend: auto takes ${report.auto} (the first available backend, fastest first).`,
  );
  lines.push('');
  const speedHead = report.speedProbeSeconds > 0 ? `training speed (${report.speedProbeSeconds} s probe)` : 'training speed';
  const rows = [['backend', 'available', 'threads', speedHead, 'details']];
  for (const b of report.backends) {
    const details = b.available
      ? [b.detail, b.devices?.length ? `GPUs: ${b.devices.join('; ')}` : undefined, b.module ? `${b.module.package} ${b.module.version} from ${b.module.dir}` : undefined]
          .filter((d): d is string => d !== undefined && d !== '')
          .join('; ')
      : b.why[0] ?? '';
    rows.push([b.name, b.available ? 'yes' : 'no', b.threads === undefined ? '-' : String(b.threads), formatImagesPerSecond(b.imagesPerSecond), details]);
  }
  lines.push(...pad(rows).map((l) => `  ${l}`));
  for (const b of report.backends.filter((x) => !x.available)) {
    lines.push('', `${b.name}: not available`);
    for (const why of b.why) lines.push(`  why: ${why}`);
    for (const fix of b.fix) lines.push(`  fix: ${fix}`);
  }
  lines.push('', 'GPU check:');
  lines.push(`  platform ${report.gpu.platform}; NVIDIA driver: ${report.gpu.driver ?? 'none loaded'}; GPUs: ${report.gpu.devices.length > 0 ? report.gpu.devices.join('; ') : 'none'}`);
  if (report.gpu.libraries.length > 0) {
    lines.push(`  CUDA/cuDNN libraries: ${report.gpu.libraries.map((l) => `${l.name} ${l.found ? 'found' : 'missing'}`).join(', ')}`);
  }
  lines.push('', 'Backend packages (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node) are looked for in this order:');
  report.locations.forEach((l, i) => lines.push(`  ${i + 1}. ${l.label}: ${l.path}`));
  return lines.join('\n');
}
