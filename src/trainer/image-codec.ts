/**
 * sharp (libvips), loaded on first use by the code that decodes or encodes images. Loaded into
 * every trainer process, its exit handler crashed some runs that never touched an image: a
 * finished search ended with SIGSEGV (exit code 139) inside sharp's addon during the process's
 * exit, after its results were written. A process that reads no image files now never loads it.
 */
import type Sharp from 'sharp';

let loaded: Promise<typeof Sharp> | undefined;

export function loadSharp(): Promise<typeof Sharp> {
  loaded ??= import('sharp').then((m) => m.default);
  return loaded;
}
