/**
 * Writes the JSON Schema of `*.resbuilder.yaml` to schemas/resbuilder.schema.json, which the
 * extension contributes to VS Code's YAML support. Run after changing the config schema:
 * `npm run schema`. A unit test fails while the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { configJsonSchemaText } from '../src/core/config/json-schema';

const target = path.resolve(__dirname, '..', 'schemas', 'resbuilder.schema.json');
writeFileSync(target, configJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
