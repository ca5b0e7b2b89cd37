/**
 * What the benchmark ran on, and the CPU's nominal float32 peak to compare the achieved FLOP/s
 * against. The peak is a paper figure (cores × clock × FLOPs per cycle from the vector flags);
 * turbo, throttling and the other programs on the machine are not in it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface CpuPeak {
  gflops: number;
  cores: number;
  ghz: number;
  flopsPerCycle: number;
  /** How the figures were obtained, for the printed report. */
  derivation: string;
}

export interface MachineInfo {
  cpuModel: string;
  vendor: string;
  cores: number;
  threadsPerCore: number;
  logicalCpus: number;
  memoryGb: number;
  loadAverage: number[];
  node: string;
  platform: string;
  peak: CpuPeak;
}

function lscpu(): Record<string, string> {
  try {
    const text = execFileSync('lscpu', { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const fields: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0) fields[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    return fields;
  } catch {
    return {};
  }
}

function cpuinfoMhz(): number | null {
  try {
    const match = /^cpu MHz\s*:\s*([\d.]+)/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Clock in GHz and where it came from: lscpu's max MHz, else /proc/cpuinfo, else os.cpus(). */
function clock(fields: Record<string, string>): { ghz: number; source: string } {
  const max = Number(fields['CPU max MHz']);
  if (Number.isFinite(max) && max > 0) return { ghz: max / 1000, source: 'lscpu "CPU max MHz"' };
  const mhz = cpuinfoMhz();
  if (mhz !== null && mhz > 0) return { ghz: mhz / 1000, source: '/proc/cpuinfo "cpu MHz" (no max clock reported; a VM shows its nominal clock)' };
  const speed = os.cpus()[0]?.speed ?? 0;
  return { ghz: speed / 1000, source: 'os.cpus() speed' };
}

/**
 * FLOPs per cycle per core for float32 FMA code: lanes × 2 (an FMA is two FLOPs) × FMA units.
 * AMD family 25 (Zen 3/4) reports avx512f on Zen 4 but executes 512-bit instructions on its two
 * 256-bit FMA pipes, so its peak is the AVX2 figure; Intel server cores with AVX-512 have two
 * 512-bit FMA units (some lower bins have one; this takes the common case).
 */
function flopsPerCycle(flags: Set<string>, vendor: string, family: number): { value: number; reason: string } {
  const amdZen = vendor === 'AuthenticAMD' && family >= 23;
  if (flags.has('avx512f') && !amdZen) return { value: 64, reason: 'AVX-512 FMA: 2 units × 16 lanes × 2' };
  if (flags.has('avx512f') && amdZen) {
    return { value: 32, reason: `AMD family ${family} with AVX-512 runs 512-bit ops on 2 × 256-bit FMA pipes: 2 × 8 lanes × 2 (the AVX-512 rule of 2 × 16 × 2 = 64 would overstate it)` };
  }
  if (flags.has('avx2') && flags.has('fma')) return { value: 32, reason: 'AVX2 FMA: 2 units × 8 lanes × 2' };
  if (flags.has('avx')) return { value: 16, reason: 'AVX without FMA: 8-lane add + 8-lane multiply' };
  return { value: 8, reason: 'SSE: 4-lane add + 4-lane multiply' };
}

export function machineInfo(): MachineInfo {
  const fields = lscpu();
  const logicalCpus = Number(fields['CPU(s)']) || os.cpus().length;
  const threadsPerCore = Number(fields['Thread(s) per core']) || 1;
  const coresPerSocket = Number(fields['Core(s) per socket']);
  const sockets = Number(fields['Socket(s)']) || 1;
  const cores = Number.isFinite(coresPerSocket) && coresPerSocket > 0 ? coresPerSocket * sockets : Math.max(1, Math.round(logicalCpus / threadsPerCore));
  const vendor = fields['Vendor ID'] ?? 'unknown';
  const family = Number(fields['CPU family']) || 0;
  const flags = new Set((fields.Flags ?? '').split(/\s+/));
  const { ghz, source } = clock(fields);
  const perCycle = flopsPerCycle(flags, vendor, family);
  const gflops = cores * ghz * perCycle.value;
  return {
    cpuModel: fields['Model name'] ?? os.cpus()[0]?.model ?? 'unknown',
    vendor,
    cores,
    threadsPerCore,
    logicalCpus,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    peak: {
      gflops,
      cores,
      ghz,
      flopsPerCycle: perCycle.value,
      derivation:
        `nominal FP32 peak = ${cores} physical cores × ${ghz.toFixed(2)} GHz (${source}) × ${perCycle.value} FLOP/cycle ` +
        `(${perCycle.reason}) = ${gflops.toFixed(0)} GFLOP/s; a paper figure, not a measurement`,
    },
  };
}
