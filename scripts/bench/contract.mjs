// The bench's calls, held to the OpenAPI document the running orchestrator serves (GET /docs-json):
// every operation it sends and every status it counts must be documented, or the bench stops before
// it measures anything. Its client stays the plain keep-alive one of http-client.mjs (a typed fetch
// client would change the per-request cost it measures); this check keeps it true to the document.
import { send } from './http-client.mjs';

/** `METHOD /path/template` -> the statuses the bench counts (setup, load, invariants). */
export const BENCH_CALLS = {
  'POST /auth/otp': [202],
  'POST /auth/otp/verify': [200],
  'POST /accounts': [201],
  'POST /accounts/{id}/deposits': [201],
  'POST /transfers': [201, 202, 422],
  'GET /transfers/{id}': [200],
  'GET /accounts/{id}': [200],
};

/** What of BENCH_CALLS the document does not have; empty when it has it all. */
export function undocumentedCalls(document, calls = BENCH_CALLS) {
  return Object.entries(calls).flatMap(([call, statuses]) => {
    const [method, template] = call.split(' ');
    const operation = document?.paths?.[template]?.[method.toLowerCase()];
    if (!operation) return [`${call}: not in the document`];
    return statuses.filter((s) => !operation.responses?.[String(s)]).map((s) => `${call}: status ${s} not documented`);
  });
}

/** Reads the served document and lists what the bench would send or count that it does not describe. */
export async function checkBenchContract(orchestratorUrl, agent) {
  const res = await send(orchestratorUrl, { path: '/docs-json', agent, timeoutMs: 10_000 });
  if (res.status !== 200 || !res.body) return [`GET /docs-json answered ${res.status === 0 ? res.error : res.status}`];
  return undocumentedCalls(res.body);
}
