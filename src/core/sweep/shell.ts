/**
 * Quoting for the sbatch script: anything taken from the user (paths, names) reaches bash only
 * inside single quotes, where nothing is special except the quote itself.
 */

/** `it's` → `'it'\''s'`: a single bash word whatever the text holds. */
export function shellQuote(text: string): string {
  if (text.includes('\0')) throw new Error('a value with a NUL character cannot be passed to a shell');
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
