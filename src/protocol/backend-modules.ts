/**
 * Where the trainer looks for the optional backend packages (`@tensorflow/tfjs-node-gpu`,
 * `@tensorflow/tfjs-node`), and how the extension tells it: one JSON value in an environment
 * variable, validated here on the trainer's side (docs/gpu.md, "Where the backend packages come
 * from").
 */
import { z } from 'zod';

/** The extension's locations for a trainer it starts (JSON of BackendModuleLocations). */
export const BACKEND_LOCATIONS_ENV = 'RESBUILDER_BACKEND_LOCATIONS';
/** A folder of backend packages for batch jobs, when no `--backend-modules` flag is given. */
export const BACKEND_MODULES_ENV = 'RESBUILDER_BACKEND_MODULES';

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), { message: 'must be an absolute path' });

/** Where a backend package was found, in the order the trainer looks. */
export const BackendModuleSourceSchema = z.enum(['path', 'workspace', 'private', 'trainer']);
export type BackendModuleSource = z.infer<typeof BackendModuleSourceSchema>;

export const BackendModuleLocationsSchema = z.strictObject({
  /** The folder a user named: the `resbuilder.backendModulesPath` setting, `--backend-modules` or RESBUILDER_BACKEND_MODULES. */
  modulesPath: absolutePath.optional(),
  /** Which of the three named `modulesPath`, for messages. */
  modulesPathOrigin: z.enum(['setting', 'flag', 'env']).optional(),
  /** The workspace (or, from the command line, the current) folder: its own node_modules. */
  workspace: absolutePath.optional(),
  /** The private folder `resbuilder backends install` (and the extension's install command) fill. */
  privateDir: absolutePath.optional(),
});
export type BackendModuleLocations = z.infer<typeof BackendModuleLocationsSchema>;

/** Which package a backend was loaded from; part of the run's backend report. */
export const BackendModuleInfoSchema = z.strictObject({
  package: z.string(),
  version: z.string(),
  /** The package's folder. */
  dir: z.string(),
  source: BackendModuleSourceSchema,
});
export type BackendModuleInfo = z.infer<typeof BackendModuleInfoSchema>;

export class BackendLocationsError extends Error {}

/** Parses the extension's locations; a broken value names the variable and what is wrong in it. */
export function parseBackendLocations(text: string, where = BACKEND_LOCATIONS_ENV): BackendModuleLocations {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BackendLocationsError(`${where}: not JSON (${(error as Error).message}). Unset it, or start the trainer from the extension.`);
  }
  const parsed = BackendModuleLocationsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
    throw new BackendLocationsError(`${where}: ${issues}. Expected {"modulesPath"?, "workspace"?, "privateDir"?} with absolute paths.`);
  }
  return parsed.data;
}

/** How a source is named in reports and messages. */
export function describeModuleSource(source: BackendModuleSource, locations: BackendModuleLocations): string {
  switch (source) {
    case 'path':
      return locations.modulesPathOrigin === 'setting'
        ? 'the resbuilder.backendModulesPath setting'
        : locations.modulesPathOrigin === 'env'
          ? BACKEND_MODULES_ENV
          : '--backend-modules';
    case 'workspace':
      return "the workspace's node_modules";
    case 'private':
      return 'the private backend folder';
    case 'trainer':
      return "the trainer's own folder";
  }
}
