// Writes the generated descriptions from the built code (run after scripts/build.mjs):
//   docs/asyncapi.yaml                    the events: libs/contracts plus the messaging topology (GET /docs/asyncapi.yaml)
//   docs/openapi.json                     the public REST edge, as GET /docs-json serves it
//   test/support/bank-api.generated.ts    openapi-typescript types of docs/openapi.json: the e2e client is typed from them
// `--asyncapi` writes the first only. Unit tests fail when any of them is stale; an e2e test when the served ones differ.
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientTypes } from './lib/client-types.mjs';
import { ROOT } from './lib/system.mjs';

const built = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);
const write = async (file, text) => {
  await writeFile(path.join(ROOT, file), text);
  process.stdout.write(`wrote ${file}\n`);
};

const { asyncApiYaml } = await built('libs/messaging/src/index.js');
await write('docs/asyncapi.yaml', asyncApiYaml());
if (!process.argv.includes('--asyncapi')) {
  const { buildOpenApiDocument, renderOpenApi } = await built('apps/orchestrator/src/openapi/openapi-document.js');
  const document = await buildOpenApiDocument();
  await write('docs/openapi.json', renderOpenApi(document));
  await write('test/support/bank-api.generated.ts', await clientTypes(document));
}
