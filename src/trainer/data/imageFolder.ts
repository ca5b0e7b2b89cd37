/**
 * An image folder: one sub-folder per class (class names = folder names, sorted), every image
 * decoded with sharp and resized to imageSize×imageSize. Resizing stretches the whole picture to
 * the square (sharp's fit 'fill'), as Keras' load_img(target_size) and cv2.resize do, rather
 * than cropping it. Alpha is dropped (as PIL's convert('RGB') does); animated images use their
 * first frame; EXIF orientation is applied.
 */
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import type { OutputInfo } from 'sharp';
import { loadSharp } from '../image-codec';
import { dataError, listFolder } from './files';
import type { ImageSet } from './types';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

export const IMAGE_FOLDER_HINT =
  'Point dataset.path at a folder with one sub-folder per class holding that class\'s images (jpg, png, webp, gif, tiff or avif), e.g. Animals-10 from https://www.kaggle.com/datasets/alessiocorrado99/animals10 (its raw-img folder)';

export interface ImageFolderOptions {
  imageSize: number;
  channels: 1 | 3;
  onProgress?: (message: string) => void;
  /** Images decoded at once; sharp runs each on its own libuv thread. */
  concurrency?: number;
}

export interface ImageFolderData {
  set: ImageSet;
  classNames: string[];
  /** The folder the classes were read from (a lone wrapper folder such as raw-img/ is entered). */
  folder: string;
}

export async function loadImageFolder(path: string, options: ImageFolderOptions): Promise<ImageFolderData> {
  const { imageSize, channels } = options;
  if (!Number.isInteger(imageSize) || imageSize < 1) throw new RangeError(`dataset.imageSize must be a positive integer, got ${imageSize}`);
  const folder = await classRoot(path);
  const { dirs } = await listFolder(folder, IMAGE_FOLDER_HINT);
  if (dirs.length < 2) {
    throw dataError(folder, `has ${dirs.length === 0 ? 'no class sub-folders' : `only one class sub-folder (${dirs[0]})`}; at least two classes are needed`, IMAGE_FOLDER_HINT);
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (let label = 0; label < dirs.length; label++) {
    const classFolder = join(folder, dirs[label]);
    const images = (await listFolder(classFolder, IMAGE_FOLDER_HINT)).files.filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()));
    if (images.length === 0) throw dataError(classFolder, `class folder holds no images (looked for ${IMAGE_EXTENSIONS.join(', ')})`, 'Add images to it or remove the folder');
    for (const f of images) {
      files.push(join(classFolder, f));
      labels.push(label);
    }
  }

  const size = imageSize * imageSize * channels;
  const set: ImageSet = {
    images: new Uint8Array(files.length * size),
    labels: Uint16Array.from(labels),
    count: files.length,
    height: imageSize,
    width: imageSize,
    channels,
  };
  const report = options.onProgress ?? (() => undefined);
  report(`Decoding ${files.length} images in ${dirs.length} classes from ${folder} to ${imageSize}×${imageSize}×${channels} (${formatBytes(set.images.length)} in memory)`);
  const every = Math.max(1, Math.floor(files.length / 50));
  let done = 0;
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After one failure the other workers stop instead of decoding the rest in the background.
    while (next < files.length && !failed) {
      const i = next++;
      try {
        set.images.set(await decodeImage(files[i], imageSize, channels), i * size);
      } catch (error) {
        failed = true;
        throw error;
      }
      done++;
      if (done % every === 0 || done === files.length) report(`Decoding images: ${done}/${files.length}`);
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? Math.min(8, availableParallelism() * 2));
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return { set, classNames: dirs, folder };
}

/** Decodes one image to size×size×channels bytes. */
export async function decodeImage(file: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  let data: Buffer;
  let info: OutputInfo;
  const sharp = await loadSharp();
  try {
    let pipeline = sharp(file, { pages: 1, autoOrient: true }).removeAlpha().resize(size, size, { fit: 'fill' });
    pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    ({ data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true }));
  } catch (error) {
    throw dataError(file, `cannot read this image (${(error as Error).message})`, 'Replace or delete the file');
  }
  if (info.width !== size || info.height !== size) throw dataError(file, `decoded to ${info.width}×${info.height}, expected ${size}×${size}`, 'Replace or delete the file');
  if (info.channels === channels) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Colour-space conversion normally gives the requested channel count; convert by hand if not.
  const pixels = size * size;
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    for (let ch = 0; ch < channels; ch++) out[p * channels + ch] = data[p * info.channels + Math.min(ch, info.channels - 1)];
  }
  return out;
}

/** Enters a lone wrapper folder (Animals-10 extracts to raw-img/<classes>) when `path` holds only that. */
async function classRoot(path: string): Promise<string> {
  const { files, dirs } = await listFolder(path, IMAGE_FOLDER_HINT);
  const hasImages = files.some((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()));
  if (dirs.length === 1 && !hasImages) {
    const inner = join(path, dirs[0]);
    if ((await listFolder(inner, IMAGE_FOLDER_HINT)).dirs.length >= 2) return inner;
  }
  return path;
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(1)} MB`;
}

