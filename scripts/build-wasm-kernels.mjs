// Compiles the SIMD kernels of wasm/assembly (AssemblyScript) into dist/resbuilder-kernels.wasm.
// The module imports the TF.js wasm backend's memory and must not own anything in it: a data
// segment would be written over the backend's heap at instantiation, so the build refuses one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import asc from 'assemblyscript/asc';

const SECTION_NAMES = { 5: 'memory', 6: 'global', 8: 'start', 11: 'data' };

function readLeb128(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return { value: value >>> 0, next: at };
}

/** Section ids the module must not have (its own memory, globals, a start function, data). */
function forbiddenSections(bytes) {
  const found = [];
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const { value: size, next } = readLeb128(bytes, at + 1);
    if (id in SECTION_NAMES) found.push(SECTION_NAMES[id]);
    at = next + size;
  }
  return found;
}

export async function buildWasmKernels(outFile = 'dist/resbuilder-kernels.wasm') {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const stderr = [];
  const { error } = await asc.main([
    'wasm/assembly/index.ts', '--outFile', outFile,
    '--importMemory', '--runtime', 'stub', '--noAssert', '--optimizeLevel', '3', '--enable', 'simd',
  ], { stderr: { write: (chunk) => stderr.push(String(chunk)) } });
  if (error) throw new Error(`AssemblyScript could not compile wasm/assembly: ${error.message}\n${stderr.join('')}`);
  const forbidden = forbiddenSections(fs.readFileSync(outFile));
  if (forbidden.length > 0) {
    throw new Error(`${outFile} has ${forbidden.join(', ')} section(s); the kernels share the TF.js heap and must declare no memory, globals or data of their own`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWasmKernels(process.argv[2]);
