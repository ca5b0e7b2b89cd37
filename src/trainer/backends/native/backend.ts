// The 'native' backend is the TF.js CPU backend with its hot kernels replaced: tensors keep
// living in the CPU backend's TypedArrays, so native and JavaScript kernels share data
// without copies, and any kernel without a native version simply runs the CPU one.
import type { backend_util, DataId, DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from './addon';
import { Float32BufferPool } from './buffer_pool';

/** Released kernel outputs kept for reuse: more than a ResNet-20 step at batch 128 releases (see buffer_pool.ts). */
const POOL_LIMIT_BYTES = 1024 * 2 ** 20;

export class NativeBackend extends MathBackendCPU {
  private readonly pool = new Float32BufferPool(POOL_LIMIT_BYTES);
  /** Arrays allocated by native kernels: the only ones that may be recycled. */
  private readonly owned = new WeakSet<Float32Array>();
  /** Arrays that left the backend through readSync/read (e.g. dataSync()): never recycled. */
  private readonly escaped = new WeakSet<Float32Array>();
  /** How many data ids refer to each owned array (CPU kernels may wrap an input's array anew). */
  private readonly users = new Map<Float32Array, number>();

  constructor(readonly addon: NativeAddon) {
    super();
    // The CPU backend's first write prints advice to install tfjs-node; that advice is wrong
    // for this backend, whose hot kernels are already native.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The Float32Array behind a float32 tensor, or null when a native kernel cannot use it. */
  float32(t: TensorInfo | undefined | null): Float32Array | null {
    if (!t || t.dtype !== 'float32') return null;
    const values = this.data.get(t.dataId)?.values;
    return values instanceof Float32Array ? values : null;
  }

  /**
   * True when `t`'s array is this backend's own, behind no other tensor and never handed out
   * (dataSync): a kernel told its input is dead may then write its output there.
   */
  isSoleOwner(t: TensorInfo): boolean {
    const values = this.float32(t);
    return values !== null && this.owned.has(values) && this.users.get(values) === 1 && !this.escaped.has(values) &&
      this.refCount(t.dataId) === 1;
  }

  /** An output array for a native kernel, recycled when possible; the kernel must overwrite all of it. */
  allocate(length: number): Float32Array {
    const array = this.pool.take(length);
    this.owned.add(array);
    return array;
  }

  /** Wraps a freshly written output array as a tensor of this backend (no copy). */
  output(shape: number[], values: Float32Array, dtype: DataType = 'float32'): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }

  /** Bytes of released arrays waiting for reuse. */
  get pooledBytes(): number {
    return this.pool.bytes;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    this.track(values, 1);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    const previous = this.data.has(dataId) ? this.data.get(dataId)?.values : undefined;
    this.track(values, 1);
    super.move(dataId, values, shape, dtype, refCount);
    if (previous) this.track(previous, -1);
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    const values = super.readSync(dataId);
    if (values instanceof Float32Array) this.escaped.add(values);
    return values;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId)?.values : undefined;
    const disposed = super.disposeData(dataId, force);
    if (values && !this.data.has(dataId)) this.track(values, -1);
    return disposed;
  }

  override dispose(): void {
    this.pool.clear();
    this.users.clear();
    super.dispose();
  }

  private track(values: backend_util.BackendValues | undefined, delta: number): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values)) return;
    const count = (this.users.get(values) ?? 0) + delta;
    if (count > 0) {
      this.users.set(values, count);
      return;
    }
    this.users.delete(values);
    if (!this.escaped.has(values)) this.pool.give(values);
  }
}

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** Runs the CPU backend's kernel of the same name (the fallback for unsupported cases). */
export function runCpuKernel(kernelName: string, args: { inputs: NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo | TensorInfo[] {
  const config = getKernel(kernelName, 'cpu');
  if (!config) throw new Error(`native backend: TF.js has no cpu kernel ${kernelName} to fall back to`);
  return config.kernelFunc(args) as TensorInfo | TensorInfo[];
}

/**
 * Builds a kernel function that tries `native` first; when it returns null (dtype, layout or
 * attribute it does not handle) the CPU kernel of the same name runs instead, or `fallback` for a
 * kernel the CPU backend does not have.
 */
export function withCpuFallback(kernelName: string, native: (args: KernelArgs) => TensorInfo | null,
  fallback: (args: KernelArgs) => TensorInfo | TensorInfo[] = (args) => runCpuKernel(kernelName, args)): KernelFunc {
  return (args) => {
    const full: KernelArgs = { inputs: args.inputs, backend: args.backend as NativeBackend, attrs: args.attrs ?? {} };
    return native(full) ?? fallback(full);
  };
}
