/** Runs pytorch_check.py with Debian's PyTorch for the export tests. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toNchw, type Digits } from './fixtures';

/** Debian's python3-torch installs into the system Python; the first python3 on PATH may be another. */
export const PYTHON = '/usr/bin/python3';
const CHECK = path.join(__dirname, 'pytorch_check.py');

export interface TorchReport {
  sameNames?: boolean;
  sameShapes?: boolean;
  outputShape: number[];
  maxAbsDiff?: number;
  argmaxAgreement?: number;
  trainLoss: number;
  changedParameters: number;
  parameters: number;
}

/** Fails the suite with the install command when PyTorch is missing (scripts/test-setup-and-run.sh installs it). */
export function requireTorch(): void {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PYTHON} cannot import torch. Fix: apt-get install -y python3-torch (scripts/test-setup-and-run.sh does).`);
  }
}

export function writeTorchInputs(dir: string, set: Digits): { images: string; labels: string } {
  const images = path.join(dir, 'images.f32');
  const labels = path.join(dir, 'labels.i32');
  fs.writeFileSync(images, new Uint8Array(toNchw(set.images, set.count, 28, 28, 1).buffer));
  fs.writeFileSync(labels, new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength));
  return { images, labels };
}

export function runTorchCheck(folder: string, moduleName: string, weights: string | null, inputs: { images: string; labels: string }, count: number, expected: string | null): TorchReport {
  const out = execFileSync(PYTHON, [CHECK, folder, moduleName, weights ?? '-', inputs.images, String(count), expected ?? '-', inputs.labels], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').pop()!) as TorchReport;
}
