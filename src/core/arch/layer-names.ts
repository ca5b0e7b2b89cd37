/**
 * TF.js layer names derived from graph ids. Weights are carried over between rebuilds by these
 * names (docs/algorithm.md, "Which weights carry over"), so they depend only on the graph id and the layer's role, never on position.
 *
 * Scheme: every `_` in the graph id is doubled, then
 * - the layer that *is* the graph layer keeps the escaped id alone: a conv (`conv`), a pool
 *   (`pool`), a hidden dense layer (`dense`); e.g. `s1b1.conv1`;
 * - any other role is appended after a single `_`: `s1b1.conv1_bn`, `s1b1.conv1_relu`,
 *   `fc1000_gap`, `s2b1_add`, `s2b1_proj`, `s2b1_projbn`, `s2b1_padshortcut`, ...
 * Roles contain no `_`, and escaped ids contain `_` only in pairs, so a name is never shared by
 * two (id, role) pairs. The head is `classifier` (its global pooling `classifier_gap`) and the
 * input `input`; graph ids that would collide with these are rejected when the model is built.
 */
export type LayerRole =
  /** The conv / pool / hidden dense layer itself. */
  | 'conv'
  | 'pool'
  | 'dense'
  /** The BN of a conv: before it (reference style) or after it (standard style). */
  | 'bn'
  /** The ReLU after a standard-style conv's BN, or after a standard-style block's add (skip id). */
  | 'relu'
  /** Global average pooling before a dense layer or the classifier. */
  | 'gap'
  /** Skip roles (graph id = the skip id). */
  | 'add'
  | 'proj'
  | 'projbn'
  | 'padmain'
  | 'padmainin'
  | 'padmainout'
  | 'padshortcut'
  | 'padshortcutin'
  | 'padshortcutout';

const PRIMARY_ROLES: ReadonlySet<LayerRole> = new Set(['conv', 'pool', 'dense']);

export const CLASSIFIER_NAME = 'classifier';
export const INPUT_NAME = 'input';

export function tfLayerName(graphId: string, role: LayerRole): string {
  const escaped = graphId.replaceAll('_', '__');
  return PRIMARY_ROLES.has(role) ? escaped : `${escaped}_${role}`;
}
