import type { BackendModuleInfo } from '../../protocol/backend-modules';
import type { BackendName } from '../../protocol/events';

/** Why a backend cannot be used. */
export type ProbeFailureKind =
  | 'not-installed'
  | 'load-failed'
  | 'no-gpu-device'
  | 'check-failed'
  | 'timed-out'
  | 'crashed';

/** What a backend that works would run with; measured by the doctor's probes only. */
export interface BackendFacts {
  /** Training speed of the doctor's small network (speed-probe.ts). */
  imagesPerSecond?: number;
  /** Compute threads it would use. */
  threads?: number;
  /** Library versions and settings worth knowing ("oneDNN 3.5", "SIMD on"). */
  detail?: string;
  /** The package it was loaded from (tfjs-node backends). */
  module?: BackendModuleInfo;
}

export type ProbeResult = { ok: true; facts?: BackendFacts } | { ok: false; kind: ProbeFailureKind; detail: string };

/** Checks whether a backend works, without risking the calling process. */
export type Prober = (name: BackendName, timeoutMs: number) => Promise<ProbeResult>;

/** A backend could not be started in this process; `kind` classifies why. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly kind: ProbeFailureKind,
    detail: string,
  ) {
    super(detail);
    this.name = 'BackendUnavailableError';
  }
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '');
  return (line ?? text).trim() || 'unknown error';
}

/** The sentence that goes into a BackendReport's `skipped` list. */
export function describeFailure(result: Extract<ProbeResult, { ok: false }>): string {
  switch (result.kind) {
    case 'not-installed':
      return `not installed (${result.detail})`;
    case 'load-failed':
      return `failed to load: ${result.detail}`;
    case 'no-gpu-device':
      return `no GPU device: ${result.detail}`;
    case 'check-failed':
      return `loaded but failed the convolution check: ${result.detail}`;
    case 'timed-out':
      return `timed out: the probe did not finish within ${result.detail}`;
    case 'crashed':
      return `the probe process crashed: ${result.detail}`;
  }
}

export function isProbeResult(value: unknown): value is ProbeResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; kind?: unknown; detail?: unknown; facts?: unknown };
  if (v.ok === true) return v.facts === undefined || (typeof v.facts === 'object' && v.facts !== null);
  return v.ok === false && typeof v.kind === 'string' && typeof v.detail === 'string';
}
