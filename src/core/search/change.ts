/** A structural change of the network during a search: what changed, and why. */
import { z } from 'zod';

/** Why and how the network changed. */
export const StructuralChangeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('insert'),
    blockId: z.string(),
    layerIds: z.array(z.string()),
    stage: z.number().int(),
    stages: z.number().int(),
    slot: z.string(),
    slots: z.array(z.string()),
    width: z.number().int(),
    attempts: z.number().int(),
    reason: z.string(),
  }),
  z.strictObject({
    kind: z.literal('insert-skipped'),
    attempts: z.number().int(),
    reason: z.string(),
  }),
  z.strictObject({
    kind: z.literal('delete'),
    blockIds: z.array(z.string()),
    layerIds: z.array(z.string()),
    /** Mean |W| of every inserted conv that was tested, against the threshold. */
    meanAbsWeights: z.record(z.string(), z.number()),
    threshold: z.number(),
    reason: z.string(),
  }),
  z.strictObject({
    kind: z.literal('delete-skipped'),
    gate: z.strictObject({ previousAccuracy: z.number(), accuracy: z.number(), threshold: z.number() }).optional(),
    meanAbsWeights: z.record(z.string(), z.number()),
    threshold: z.number(),
    reason: z.string(),
  }),
  z.strictObject({
    kind: z.literal('resize'),
    omega: z.number(),
    alive: z.record(z.string(), z.number()),
    widths: z.record(z.string(), z.strictObject({ from: z.number().int(), to: z.number().int() })),
    removedLayerIds: z.array(z.string()),
    removedBlockIds: z.array(z.string()),
    reason: z.string(),
  }),
]);
export type StructuralChange = z.infer<typeof StructuralChangeSchema>;
