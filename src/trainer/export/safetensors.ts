/**
 * The `.safetensors` format (docs/export.md, "PyTorch"): an 8-byte little-endian header length,
 * a JSON header naming every tensor's dtype, shape and byte range, then the tensors' raw
 * little-endian bytes. Small enough to write directly; PyTorch-side it is read by the
 * `safetensors` package or by the loader in the generated module.
 */

export interface SafetensorsEntry {
  dtype: 'F32' | 'I64';
  shape: number[];
  /** F32 values, or I64 values (exact up to 2^53). */
  values: Float32Array | number[];
}

const BYTES = { F32: 4, I64: 8 } as const;

export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsEntry>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.values.length) throw new Error(`Tensor "${name}": ${t.values.length} values for shape [${t.shape.join(', ')}].`);
    const size = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  // The data starts 8-byte aligned, so readers can view it in place.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.values.length; i++) {
      if (t.dtype === 'F32') {
        view.setFloat32(at, t.values[i], true);
        at += 4;
      } else {
        view.setBigInt64(at, BigInt(t.values[i]), true);
        at += 8;
      }
    }
  }
  return out;
}

/** Reads what encodeSafetensors writes (F32 and I64 tensors), for checks and tests. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')) as Record<string, { dtype: 'F32' | 'I64'; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: Record<string, string> };
  const tensors = new Map<string, SafetensorsEntry>();
  const base = 8 + length;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = info as { dtype: 'F32' | 'I64'; shape: number[]; data_offsets: [number, number] };
    const [begin, end] = t.data_offsets;
    const count = (end - begin) / BYTES[t.dtype];
    if (t.dtype === 'F32') {
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(base + begin + i * 4, true);
      tensors.set(name, { dtype: 'F32', shape: t.shape, values });
    } else {
      const values: number[] = [];
      for (let i = 0; i < count; i++) values.push(Number(view.getBigInt64(base + begin + i * 8, true)));
      tensors.set(name, { dtype: 'I64', shape: t.shape, values });
    }
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string> | undefined) ?? {} };
}
