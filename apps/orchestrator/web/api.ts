/** The public API as a person's browser uses it: access token in this tab only (sessionStorage). */
export interface Problem {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
  transferId?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

const TOKEN = 'bank.token';
const PHONE = 'bank.phone';

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN);
  },
  get phone(): string | null {
    return sessionStorage.getItem(PHONE);
  },
  login(token: string, phone: string): void {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(PHONE, phone);
  },
  logout(): void {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(PHONE);
  },
};

export function newKey(): string {
  return crypto.randomUUID();
}

export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const all: Record<string, string> = { accept: 'application/json', ...headers };
  if (body !== undefined) all['content-type'] = 'application/json';
  if (session.token) all.authorization = `Bearer ${session.token}`;
  const response = await fetch(path, { method, headers: all, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError({ status: response.status, ...(json as Omit<Problem, 'status'>) });
  return json as T;
}

export interface StreamHandle {
  close(): void;
}

/**
 * Server-sent events over fetch (EventSource cannot send the access token). Reconnects after a
 * second when the stream drops, unless `finished()` says the last message was the final one.
 */
export function stream<T>(
  path: string,
  onData: (data: T) => void,
  options: { onLive?: (live: boolean) => void; finished?: () => boolean; onError?: (error: ApiError) => void } = {},
): StreamHandle {
  const abort = new AbortController();
  const connect = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (session.token) headers.authorization = `Bearer ${session.token}`;
    try {
      const response = await fetch(path, { headers, signal: abort.signal });
      if (!response.ok || !response.body) {
        const problem = (await response.json().catch(() => ({}))) as Omit<Problem, 'status'>;
        options.onError?.(new ApiError({ status: response.status, ...problem }));
        return;
      }
      options.onLive?.(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''))
            .join('\n');
          if (data) onData(JSON.parse(data) as T);
        }
      }
    } catch {
      if (abort.signal.aborted) return;
    }
    options.onLive?.(false);
    if (!abort.signal.aborted && !options.finished?.()) setTimeout(() => void connect(), 1_000);
  };
  void connect();
  return { close: () => abort.abort() };
}

/** Minor units for people: 1250 EUR -> "€12.50". */
export function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** "12.5" EUR -> 1250; undefined when it is not an amount of that currency. */
export function parseMinor(text: string, currency: string): number | undefined {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(text.trim());
  if (!match || (match[2] ?? '').length > digits) return undefined;
  const minor = Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
  return Number.isSafeInteger(minor) && minor > 0 ? minor : undefined;
}
