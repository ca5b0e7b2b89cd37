/**
 * The experiment config of ResBuilder Studio (`*.resbuilder.yaml`). Node only (paths, hashing,
 * file reading); no vscode, no TF.js.
 */
export type * from './types';
export { CONFIG_DEFAULTS, DEFAULT_BLOCK_STYLE, SOURCES_NEEDING_PATH, type ConfigSettings } from './defaults';
export { BUILT_IN_STARTS } from './types';
export { PRESETS, PRESET_NAMES, type PresetName, type ConfigOverrides } from './presets';
export { ConfigInputSchema, type ConfigInput } from './schema';
export { ConfigError, describeDiagnostic, formatConfigPath, formatDiagnostic } from './diagnostics';
export type { ConfigDiagnostic, ConfigPosition, ConfigRange } from './diagnostics';
export { parseConfigText, type ParsedConfig } from './parse';
export { loadConfigFile, nodeConfigFileSystem, validateConfigText, type LoadConfigOptions } from './load';
export { checkConfigFiles, withFileChecks, type ConfigFileSystem, type FileCheckScope, type PathStatus } from './file-checks';
export { configNameFromPath, resolveConfig, resolveConfigRelativePath } from './resolve';
export { configHash, stableStringify } from './hash';
export { configJsonSchema, configJsonSchemaText } from './json-schema';
