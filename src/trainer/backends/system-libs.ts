/**
 * What the GPU backend needs from the machine, checked without loading TensorFlow: an NVIDIA
 * driver and GPU, and the CUDA/cuDNN libraries libtensorflow 2.9 (inside tfjs-node-gpu 4.x) was
 * built against, looked up through the dynamic loader as libtensorflow will look them up.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The sonames libtensorflow 2.9's GPU build opens (CUDA 11.2, cuDNN 8.1); docs/gpu.md. */
export const CUDA_LIBRARIES: readonly string[] = ['libcudart.so.11.0', 'libcublas.so.11', 'libcudnn.so.8'];

export interface LibraryCheck {
  name: string;
  found: boolean;
  /** The loader's message when it could not open the library. */
  detail?: string;
}

export interface GpuCheck {
  /** `linux-x64` and `win32-x64` are the only platforms tfjs-node-gpu has a GPU build for. */
  platformSupported: boolean;
  platform: string;
  /** The NVIDIA kernel driver's version line, when the driver is loaded. */
  driver?: string;
  /** One entry per GPU ("0: NVIDIA A100-SXM4-40GB, 40960 MiB"). */
  devices: string[];
  libraries: LibraryCheck[];
}

/**
 * Asks the dynamic loader for `soname` (LD_LIBRARY_PATH, the ld.so cache, the default folders).
 * process.dlopen opens it first and only then finds it is no Node addon, so "did not
 * self-register" means the loader found it.
 */
export function checkLibrary(soname: string): LibraryCheck {
  try {
    process.dlopen({ exports: {} }, soname);
    return { name: soname, found: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/cannot open shared object file|image not found|no such file/i.test(message)) {
      return { name: soname, found: false, detail: message.split('\n')[0] };
    }
    return { name: soname, found: true };
  }
}

function driverVersion(): string | undefined {
  try {
    const text = fs.readFileSync('/proc/driver/nvidia/version', 'utf8');
    return text.split('\n')[0].replace(/\s+/g, ' ').trim();
  } catch {
    return undefined;
  }
}

function gpusFromSmi(): string[] | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=index,name,memory.total', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l) => l.replace(/^(\d+),\s*/, '$1: '));
  } catch {
    return undefined;
  }
}

function gpusFromProc(): string[] {
  const root = '/proc/driver/nvidia/gpus';
  try {
    return fs.readdirSync(root).map((bus) => {
      const info = fs.readFileSync(path.join(root, bus, 'information'), 'utf8');
      const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'NVIDIA GPU';
      return `${bus}: ${model}`;
    });
  } catch {
    return [];
  }
}

export function checkGpu(): GpuCheck {
  const platform = `${process.platform}-${process.arch}`;
  const platformSupported = platform === 'linux-x64' || platform === 'win32-x64';
  const driver = process.platform === 'linux' ? driverVersion() : undefined;
  const devices = gpusFromSmi() ?? gpusFromProc();
  const libraries = process.platform === 'linux' ? CUDA_LIBRARIES.map(checkLibrary) : [];
  return { platformSupported, platform, ...(driver === undefined ? {} : { driver }), devices, libraries };
}

/** Why the GPU backend cannot run here, judged from the machine alone (empty: nothing missing). */
export function gpuProblems(check: GpuCheck): { why: string[]; fix: string[] } {
  const why: string[] = [];
  const fix: string[] = [];
  if (!check.platformSupported) {
    why.push(`tfjs-node-gpu has no GPU build for ${check.platform}`);
    fix.push('run on Linux x64 (or Windows x64) with an NVIDIA GPU');
    return { why, fix };
  }
  if (check.devices.length === 0) {
    why.push(check.driver === undefined && process.platform === 'linux' ? 'no GPU: no NVIDIA driver is loaded (/proc/driver/nvidia is absent) and nvidia-smi lists none' : 'no GPU: nvidia-smi lists no NVIDIA GPU');
    fix.push('run on a machine (or cluster job: --gpus=1) with an NVIDIA GPU and its driver');
  }
  const missing = check.libraries.filter((l) => !l.found).map((l) => l.name);
  if (missing.length > 0) {
    why.push(`CUDA/cuDNN libraries not found by the dynamic loader: ${missing.join(', ')}`);
    fix.push('install CUDA 11.2 and cuDNN 8.1 (or later 11.x/8.x), or add their lib64 folders to LD_LIBRARY_PATH (module load cuda/11.2 cudnn/8.1 on a cluster)');
  }
  return { why, fix };
}
