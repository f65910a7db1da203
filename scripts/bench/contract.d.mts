export const BENCH_CALLS: Record<string, number[]>;
export function undocumentedCalls(document: unknown, calls?: Record<string, number[]>): string[];
export function checkBenchContract(orchestratorUrl: string, agent?: unknown): Promise<string[]>;
