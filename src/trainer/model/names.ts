/** The TF.js layer names live in core, where the exporters read them too. */
export * from '../../core/arch/layer-names';
