/** Reading dataset files: existence checks with errors that say how to get the data, and transparent gzip. */
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { DataError } from './types';

const gunzip = promisify(zlib.gunzip);

/** A DataError whose message names the file, what is wrong, and (when given) how to fix it. */
export function dataError(file: string, problem: string, hint?: string): DataError {
  return new DataError(`${file}: ${problem}${hint ? `. ${hint}` : ''}`, file, hint);
}

/** Reads a whole file, gunzipping it when it starts with the gzip magic bytes. */
export async function readDataFile(file: string, hint?: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await fs.readFile(file);
  } catch (error) {
    throw dataError(file, describeFsError(error, 'file'), hint);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return await gunzip(raw);
    } catch (error) {
      throw dataError(file, `is not a valid gzip file (${(error as Error).message}); the download may be incomplete`, hint);
    }
  }
  return raw;
}

/** The entries of a folder that must exist. */
export async function listFolder(folder: string, hint?: string): Promise<{ files: string[]; dirs: string[] }> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw dataError(folder, describeFsError(error, 'folder'), hint);
  }
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) dirs.push(entry.name);
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(entry.name);
  }
  files.sort();
  dirs.sort();
  return { files, dirs };
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function describeFsError(error: unknown, kind: 'file' | 'folder'): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${kind} not found`;
  if (code === 'ENOTDIR') return kind === 'folder' ? 'is not a folder' : 'a parent of this path is not a folder';
  if (code === 'EISDIR') return 'is a folder, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return `${kind} is not readable (permission denied)`;
  return `cannot read ${kind} (${(error as Error).message})`;
}
