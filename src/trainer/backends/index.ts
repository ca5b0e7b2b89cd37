export { BackendError } from './backend-error';
export { BACKEND_ORDER } from './candidates';
export { activateBackend, runProbe } from './activate';
export {
  maybeRunProbe,
  probeInSubprocess,
  createSubprocessProber,
  defaultProbeEntry,
  PROBE_FLAG,
  type ProbeEntry,
} from './probe-process';
export type { Prober, ProbeResult, ProbeFailureKind } from './probe-result';
export { selectBackend, DEFAULT_PROBE_TIMEOUT_MS, type SelectBackendOptions } from './select';
export { registerWasmGradients } from './wasm-gradients';
export { initWasmBackend, wasmBinaryFolder } from './wasm-init';
export { configureBackendLocations, currentBackendLocations, describeLoadedModule, locationsFromEnvironment } from './module-locations';
