/**
 * The architecture graph (docs/algorithm.md, "The network"): an ordered layer list plus skip
 * connections. It is the single source of truth for a network; the TF.js model is rebuilt from
 * it, FLOPs and parameters are counted on it, and it is what `<config>.arch.json` stores.
 *
 * Every layer and every block (= skip connection) has a stable id, so weights are carried over
 * by id when the graph changes and diffs of committed `.arch.json` files stay readable.
 */
import { z } from 'zod';

export const ARCH_SCHEMA_VERSION = 1;
/** Version of the `.arch.json` document around the architecture (document.ts). */
export const ARCH_DOCUMENT_VERSION = 1;

/**
 * How a conv layer of the list is turned into tensors (docs/algorithm.md, "Block styles").
 * - `reference`: BN → conv(+bias) → ReLU, zero-padded shortcuts, 1×1/2 conv when the spatial
 *   size changes (the authors' code, docs/algorithm.md, "Block styles").
 * - `standard`: conv → BN → ReLU, except the last conv of a block: conv → BN, add, ReLU; a 1×1
 *   conv + BN projection shortcut when channels or spatial size differ.
 */
export const BlockStyleSchema = z.enum(['reference', 'standard']);
export type BlockStyle = z.infer<typeof BlockStyleSchema>;

const idPattern = /^[A-Za-z][A-Za-z0-9_.-]*$/;
export const LayerIdSchema = z.string().regex(idPattern, 'ids start with a letter and use letters, digits, "_", "." or "-"');

export const ConvLayerSchema = z.strictObject({
  kind: z.literal('conv'),
  id: LayerIdSchema,
  /** Output channels. */
  width: z.number().int().min(1),
  /** Square kernel size. */
  kernel: z.number().int().min(1),
  stride: z.number().int().min(1),
  /** `seed` layers come from the start architecture; `inserted` ones from a search step. */
  origin: z.enum(['seed', 'inserted']),
  /** The search step that inserted the layer (only for `inserted`). */
  insertedAt: z.number().int().min(0).optional(),
});
export type ConvLayer = z.infer<typeof ConvLayerSchema>;

export const PoolLayerSchema = z.strictObject({
  kind: z.literal('pool'),
  id: LayerIdSchema,
  pool: z.enum(['max', 'avg']),
  /** Always 2×2/2 in the reference code (docs/algorithm.md, "Pools and the head"); the size becomes 1 on a 1×1 map. */
  size: z.number().int().min(1),
  stride: z.number().int().min(1),
});
export type PoolLayer = z.infer<typeof PoolLayerSchema>;

/** A hidden dense layer (ReLU); global average pooling precedes the first one. */
export const DenseLayerSchema = z.strictObject({
  kind: z.literal('dense'),
  id: LayerIdSchema,
  units: z.number().int().min(1),
});
export type DenseLayer = z.infer<typeof DenseLayerSchema>;

export const LayerSchema = z.discriminatedUnion('kind', [ConvLayerSchema, PoolLayerSchema, DenseLayerSchema]);
export type Layer = z.infer<typeof LayerSchema>;

/**
 * A residual block: the tensor entering `from` (before its BN in the reference style) is added
 * to the tensor leaving `to`. The skip's id is the block's id.
 */
export const SkipSchema = z.strictObject({
  id: LayerIdSchema,
  from: LayerIdSchema,
  to: LayerIdSchema,
});
export type Skip = z.infer<typeof SkipSchema>;

export const InputShapeSchema = z.strictObject({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.number().int().min(1),
});
export type InputShape = z.infer<typeof InputShapeSchema>;

export const ArchitectureSchema = z.strictObject({
  schemaVersion: z.literal(ARCH_SCHEMA_VERSION),
  blockStyle: BlockStyleSchema,
  input: InputShapeSchema,
  /** Size of the softmax classifier that always ends the network (docs/algorithm.md, "Pools and the head"). */
  numClasses: z.number().int().min(2),
  layers: z.array(LayerSchema).min(1),
  skips: z.array(SkipSchema),
});
export type Architecture = z.infer<typeof ArchitectureSchema>;

/** Counted in MorphNet's convention (docs/algorithm.md, "The MorphNet term"): FLOPs = Σ 2·H_out·W_out·k²·C_in·C_out + Σ 2·in·out. */
export interface ArchitectureCost {
  flops: number;
  params: number;
}
