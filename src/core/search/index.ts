/** The search's decisions (spec 5–7) and MorphNet's channel bookkeeping (spec 4.3), all pure. */
export * from './channel-groups';
export * from './morphnet-ops';
export * from './stages';
export * from './key';
export * from './insert';
export * from './closure';
export * from './delete';
export * from './morph';
export * from './format';
