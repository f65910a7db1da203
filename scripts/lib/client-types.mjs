// TypeScript types of the OpenAPI document (openapi-typescript), for a client such as openapi-fetch.
import openapiTS, { astToString } from 'openapi-typescript';

const HEADER =
  '// Generated from docs/openapi.json (GET /docs-json) by `npm run docs` with openapi-typescript; do not edit.\n' +
  '// A unit test fails when it is stale.\n';

/** The `paths`, `components` and `operations` types of `document` as one module's text. */
export async function clientTypes(document) {
  // A parsed object, not a URL: nothing is fetched. Deep-copied: openapi-typescript may annotate what it reads.
  const ast = await openapiTS(structuredClone(document), { alphabetize: true, silent: true });
  return `${HEADER}${astToString(ast)}`;
}
