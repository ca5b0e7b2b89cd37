/** Versions recorded in a run's provenance, so a result can be traced to the code that made it. */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version as studioVersion } from '../../../package.json';

export function packageVersions(backend: string): Record<string, string> {
  const versions: Record<string, string> = {
    'resbuilder-studio': studioVersion,
    node: process.versions.node,
    'tfjs-core': tf.version_core,
  };
  if (backend === 'wasm') versions['tfjs-backend-wasm'] = version_wasm;
  return versions;
}
