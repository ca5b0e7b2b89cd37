/**
 * What the active backend would run with (threads, library versions, the package it came
 * from) and how fast it trains: the figures the doctor shows for a backend that works.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../protocol/events';
import { BACKEND_PACKAGES } from './candidates';
import { loadNativeAddon } from './native/addon';
import { loadedModuleInfo } from './optional-module';
import type { BackendFacts } from './probe-result';
import { measureTrainingSpeed } from './speed-probe';

function threadFacts(name: BackendName): Pick<BackendFacts, 'threads' | 'detail'> {
  switch (name) {
    case 'native': {
      const info = loadNativeAddon().info();
      return { threads: info.maxThreads, detail: `oneDNN ${info.dnnlVersion}` };
    }
    case 'wasm':
      return { threads: 1, detail: `SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}; workers: 2 in a config trains on two threads` };
    case 'cpu':
      return { threads: 1, detail: 'plain JavaScript' };
    case 'tensorflow':
    case 'tensorflow-gpu':
      // libtensorflow sizes its thread pools to the cores it may use.
      return { threads: os.availableParallelism(), detail: name === 'tensorflow-gpu' ? 'libtensorflow on the GPU' : 'libtensorflow on the CPU' };
  }
}

/** Facts about the active backend `name`, with a training-speed probe of about `speedMs`. */
export function collectFacts(name: BackendName, speedMs: number): BackendFacts {
  const facts: BackendFacts = threadFacts(name);
  const packageName = BACKEND_PACKAGES[name];
  const module = packageName === undefined ? undefined : loadedModuleInfo(packageName);
  if (module !== undefined) facts.module = module;
  if (speedMs > 0) facts.imagesPerSecond = measureTrainingSpeed(speedMs).imagesPerSecond;
  return facts;
}
