/**
 * The JSON Schema of `*.resbuilder.yaml`, generated from the input schema so the editor's
 * completion, hovers and squiggles agree with the parser. The extension contributes it through
 * `yamlValidation`; `npm run schema` writes it to `schemas/resbuilder.schema.json`.
 */
import { z } from 'zod';
import { SOURCES_NEEDING_PATH } from './defaults';
import { ConfigInputSchema } from './schema';

type JsonObject = Record<string, unknown>;

/** zod bounds every integer by the safe-integer range; in hovers that is noise. */
function dropSafeIntegerBounds(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(dropSafeIntegerBounds);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as JsonObject;
  if (object.maximum === Number.MAX_SAFE_INTEGER) delete object.maximum;
  if (object.minimum === Number.MIN_SAFE_INTEGER) delete object.minimum;
  Object.values(object).forEach(dropSafeIntegerBounds);
}

export function configJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(ConfigInputSchema, { io: 'input', target: 'draft-7' }) as JsonObject;
  dropSafeIntegerBounds(schema);
  const properties = schema.properties as Record<string, JsonObject>;
  // The parser's cross-field rule, so the editor flags a missing dataset path too.
  properties.dataset.if = { properties: { source: { enum: [...SOURCES_NEEDING_PATH] } }, required: ['source'] };
  properties.dataset.then = { required: ['path'], properties: { path: { type: 'string' } } };
  return schema;
}

/** The committed file's exact text. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
