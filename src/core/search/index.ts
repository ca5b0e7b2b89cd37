/** The search's decisions (docs/algorithm.md, "The search loop") and MorphNet's channel bookkeeping (docs/algorithm.md, "The MorphNet term"), all pure. */
export * from './channel-groups';
export * from './morphnet-ops';
export * from './stages';
export * from './key';
export * from './insert';
export * from './closure';
export * from './delete';
export * from './morph';
export * from './format';
