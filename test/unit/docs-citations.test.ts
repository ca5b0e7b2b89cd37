/**
 * Comments and docs cite documents of this repository by file and heading
 * (`docs/algorithm.md, "Greedy out: deletion"`), so a maintainer can follow every citation.
 * Each cited heading must exist, and nothing may cite a document that is not in the repository
 * (an outside "spec 4.3", "design.md" and the like).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CODE_FOLDERS = ['src', 'test', 'bench', 'webview', 'native', 'wasm', 'scripts'];
const CODE_FILE = /\.(ts|mts|cts|js|mjs|cjs|cc|h|sh|py)$/;
/** Citations of documents that are not in this repository. */
const OUTSIDE = /\bspec(?:ification)? (?:section )?\d|\balgorithm spec\b|\bdesign\.md\b|\bspec\.md\b|resbuilder-algorithm/i;
/** `docs/<file>.md, "<heading>"` (a citation may continue on the next comment line). */
const CITATION = /(docs\/[\w.-]+\.md)`?,\s*(?:(?:\/\/|\*|#)\s*)?"([^"]+)"/g;

function filesUnder(folder: string, keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'build' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (keep(full)) out.push(full);
    }
  };
  if (fs.existsSync(folder)) walk(folder);
  return out;
}

function headingsOf(doc: string): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1]));
}

const codeFiles = CODE_FOLDERS.flatMap((folder) => filesUnder(path.join(ROOT, folder), (f) => CODE_FILE.test(f)));
const docFiles = [path.join(ROOT, 'README.md'), ...filesUnder(path.join(ROOT, 'docs'), (f) => f.endsWith('.md'))];

describe('citations of documents', () => {
  it('cite only documents of this repository', () => {
    const outside: string[] = [];
    for (const file of [...codeFiles, ...docFiles]) {
      if (file === __filename) continue;
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (OUTSIDE.test(line)) outside.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(outside, [], 'cite docs/<file>.md and a heading in it instead');
  });

  it('name headings that exist in the cited file', () => {
    const headings = new Map<string, Set<string>>();
    const broken: string[] = [];
    let count = 0;
    for (const file of [...codeFiles, ...docFiles]) {
      if (file === __filename) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(CITATION)) {
        const doc = match[1];
        // A heading may wrap onto the next line of a comment or paragraph.
        const heading = match[2].replace(/\s*\n\s*(?:\/\/|\*|#)?\s*/g, ' ');
        count++;
        const where = `${path.relative(ROOT, file)}:${text.slice(0, match.index).split('\n').length}`;
        if (!fs.existsSync(path.join(ROOT, doc))) {
          broken.push(`${where}: ${doc} does not exist`);
          continue;
        }
        if (!headings.has(doc)) headings.set(doc, headingsOf(doc));
        if (!headings.get(doc)!.has(heading)) broken.push(`${where}: ${doc} has no heading "${heading}"`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(count > 0, 'no citation found: the pattern no longer matches how comments cite');
  });
});
