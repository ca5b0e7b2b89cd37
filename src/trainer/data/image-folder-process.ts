/**
 * Image folders are decoded in a short-lived child process, so sharp (libvips) is never loaded
 * into the trainer. Loaded there, sharp's exit handler crashed finished runs with SIGSEGV (exit
 * code 139) after their results were written (docs/search-and-runs.md, "Image folders are decoded
 * in their own process"); in a child that has already handed its images over, it costs nothing.
 *
 * The child is the same program started with DECODE_FLAG: the trainer bundle's main calls
 * `await maybeRunImageDecoder(process.argv)` first, and when it gives true does nothing else. From
 * TypeScript sources (tests, tsx) the child runs image-folder-entry.ts. The decoded pixels travel
 * through a temporary file (hundreds of megabytes go through IPC ten times slower); the labels,
 * class names and progress lines as IPC messages.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { sameProgramEntry, type ChildEntry } from '../child-entry';
import { loadImageFolder, type ImageFolderData, type ImageFolderOptions } from './imageFolder';
import { DataError } from './types';

export const DECODE_FLAG = '--resbuilder-decode-images';

const RequestSchema = z.strictObject({
  folder: z.string(),
  imageSize: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Where the child writes the decoded pixels. */
  pixelsFile: z.string(),
});
type Request = z.infer<typeof RequestSchema>;

const ReplySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('progress'), message: z.string() }),
  z.strictObject({
    type: z.literal('done'),
    count: z.number().int().nonnegative(),
    labels: z.array(z.number().int().nonnegative()),
    classNames: z.array(z.string()),
    folder: z.string(),
  }),
  z.strictObject({ type: z.literal('error'), message: z.string(), file: z.string().optional(), hint: z.string().optional() }),
]);
type Reply = z.infer<typeof ReplySchema>;

export type DecoderEntry = ChildEntry;

export function defaultDecoderEntry(): DecoderEntry {
  return sameProgramEntry(__filename, 'image-folder-entry.ts');
}

/** Decodes an image folder as loadImageFolder does, in a child process. */
export async function decodeImageFolderInChild(folder: string, options: ImageFolderOptions, entry = defaultDecoderEntry()): Promise<ImageFolderData> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-images-'));
  const request: Request = { folder, imageSize: options.imageSize, channels: options.channels, pixelsFile: path.join(tmp, 'pixels.bin') };
  try {
    const done = await runChild(entry, request, options.onProgress ?? (() => undefined));
    const size = options.imageSize * options.imageSize * options.channels;
    const pixels = fs.readFileSync(request.pixelsFile);
    if (pixels.length !== done.count * size || done.labels.length !== done.count) {
      throw new Error(`the image decoder process handed over ${pixels.length} bytes and ${done.labels.length} labels for ${done.count} images of ${size} bytes`);
    }
    return {
      set: {
        images: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
        labels: Uint16Array.from(done.labels),
        count: done.count,
        height: options.imageSize,
        width: options.imageSize,
        channels: options.channels,
      },
      classNames: done.classNames,
      folder: done.folder,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function runChild(entry: DecoderEntry, request: Request, report: (message: string) => void): Promise<Extract<Reply, { type: 'done' }>> {
  return new Promise((resolve, reject) => {
    const child = fork(entry.modulePath, [DECODE_FLAG], { execArgv: [...entry.execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    child.on('message', (raw: unknown) => {
      const parsed = ReplySchema.safeParse(raw);
      if (!parsed.success) {
        settle(() => reject(new Error(`the image decoder process sent a message that is not a decoder reply: ${JSON.stringify(raw).slice(0, 200)}`)));
        child.kill();
        return;
      }
      const reply = parsed.data;
      if (reply.type === 'progress') report(reply.message);
      else if (reply.type === 'done') settle(() => resolve(reply));
      else settle(() => reject(reply.file !== undefined ? new DataError(reply.message, reply.file, reply.hint) : new Error(reply.message)));
    });
    child.on('error', (error) => settle(() => reject(new Error(`the image decoder process could not be started: ${error.message}`))));
    // Once the images are handed over, how the child ends does not matter (see the top of this file).
    child.on('close', (code, signal) => settle(() => reject(new Error(
      `the image decoder process ended (${signal ?? `exit code ${code}`}) before it finished decoding ${request.folder}; its error output is above`))));
    child.send(request);
  });
}

function send(reply: Reply): Promise<void> {
  return new Promise((resolve) => process.send!(reply, () => resolve()));
}

/**
 * When `argv` asks for an image decoder, waits for the parent's request, decodes the folder,
 * hands the images over and ends this process; resolves true so the caller starts nothing else.
 * Otherwise resolves false at once.
 */
export async function maybeRunImageDecoder(argv: readonly string[]): Promise<boolean> {
  if (!argv.includes(DECODE_FLAG)) return false;
  if (!process.send) {
    process.stderr.write(`${DECODE_FLAG} is for a process the trainer starts itself, with an IPC channel\n`);
    process.exitCode = 2;
    return true;
  }
  const raw = await new Promise<unknown>((resolve) => process.once('message', resolve));
  const request = RequestSchema.safeParse(raw);
  if (!request.success) {
    await send({ type: 'error', message: `the image decoder process got a request it cannot read: ${request.error.message}` });
  } else {
    try {
      const { folder, imageSize, channels, pixelsFile } = request.data;
      const data = await loadImageFolder(folder, { imageSize, channels, onProgress: (message) => void send({ type: 'progress', message }) });
      fs.writeFileSync(pixelsFile, data.set.images.subarray(0, data.set.count * imageSize * imageSize * channels));
      await send({ type: 'done', count: data.set.count, labels: Array.from(data.set.labels.subarray(0, data.set.count)), classNames: data.classNames, folder: data.folder });
    } catch (error) {
      const e = error as Error;
      await send(error instanceof DataError ? { type: 'error', message: e.message, file: error.file, hint: error.hint } : { type: 'error', message: e.message ?? String(error) });
    }
  }
  process.disconnect();
  // libvips's thread pool may keep the event loop alive.
  setTimeout(() => process.exit(0), 0);
  return true;
}
