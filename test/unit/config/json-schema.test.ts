import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DEFAULTS, configJsonSchema, configJsonSchemaText } from '../../../src/core/config';

interface JsonNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonNode>;
  additionalProperties?: boolean;
  if?: unknown;
  then?: { required?: string[] };
}

const SCHEMA_FILE = path.resolve(__dirname, '../../../schemas/resbuilder.schema.json');

describe('config JSON Schema', () => {
  it('matches the committed schemas/resbuilder.schema.json (run `npm run schema` after schema changes)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), configJsonSchemaText());
  });

  it('describes every setting and rejects unknown keys at every level', () => {
    const walk = (node: JsonNode, where: string) => {
      if (!node.properties) return;
      assert.equal(node.additionalProperties, false, `${where} rejects unknown keys`);
      for (const [key, child] of Object.entries(node.properties)) {
        assert.ok(child.description && child.description.length > 10, `${where}.${key} has a description`);
        walk(child, `${where}.${key}`);
      }
    };
    walk(configJsonSchema() as JsonNode, 'config');
  });

  it('carries the defaults, and says in the description where a preset differs', () => {
    const schema = configJsonSchema() as JsonNode;
    const props = schema.properties!;
    assert.equal(props.seed.default, CONFIG_DEFAULTS.seed);
    for (const section of ['training', 'search', 'architecture'] as const) {
      for (const [key, value] of Object.entries(CONFIG_DEFAULTS[section])) {
        assert.deepEqual(props[section].properties![key].default, value, `${section}.${key}`);
      }
    }
    assert.equal(props.dataset.properties!.augmentation.properties!.shift.default, CONFIG_DEFAULTS.dataset.augmentation.shift);
    assert.match(props.search.properties!.cycles.description!, /Default: 7; 2 with preset `quick`\.$/);
    assert.match(props.search.properties!.targetFlops.description!, /Default: 1e9; 2e7 with preset `quick`\.$/);
    assert.match(props.search.properties!.noRegEvaluation.description!, /true with preset `paper`/);
  });

  it('requires dataset.path for the sources that read files', () => {
    const dataset = (configJsonSchema() as JsonNode).properties!.dataset;
    assert.deepEqual(dataset.if, { properties: { source: { enum: ['idx', 'cifar10', 'cifar100', 'image-folder'] } }, required: ['source'] });
    assert.deepEqual(dataset.then!.required, ['path']);
  });
});
