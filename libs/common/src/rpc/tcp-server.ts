import { Logger } from '@nestjs/common';
import { ServerTCP, type TcpOptions, type TcpSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { mayCall, type RpcErrorPayload, type ServiceIdentity } from '@bank/contracts';
import { peerIdentity } from '../tls/tls-identity.js';

/**
 * Longest frame a TCP peer may send, in characters (Nest's `maxBufferSize` counts the decoded
 * string): far below the 96 MB heap, far above the largest command or reply (a page of results).
 * Nest's own default (128 M characters) lets one peer exhaust the heap with a single frame.
 */
export const DEFAULT_TCP_MAX_BUFFER_SIZE = 1_048_576;

/**
 * Nest's TCP transport with three changes:
 * - a frame limit by default (DEFAULT_TCP_MAX_BUFFER_SIZE): a bigger frame closes that connection only;
 * - every command is checked against PATTERN_CALLERS before dispatch: the caller is the identity of
 *   the connection's client certificate (TLS with a required client certificate, see tcpServerTls),
 *   read once per connection; a refused command answers CALLER_NOT_ALLOWED and is logged;
 * - plain string patterns are routed directly. Nest tries `JSON.parse` on every incoming pattern
 *   (object patterns travel as JSON); ours are `<service>.<verb-noun>` strings, so each command
 *   threw and caught a SyntaxError, which cost more than the rest of the routing.
 */
export class TcpServer extends ServerTCP {
  private readonly refusals = new Logger('CallerCheck');
  private readonly callers = new WeakMap<object, ServiceIdentity | undefined>();

  constructor(options: Required<TcpOptions>['options']) {
    super({ ...options, maxBufferSize: options.maxBufferSize ?? DEFAULT_TCP_MAX_BUFFER_SIZE });
  }

  protected override getSocketInstance(socket: Socket): TcpSocket {
    const instance = super.getSocketInstance(socket);
    this.callers.set(instance, peerIdentity(socket));
    return instance;
  }

  override async handleMessage(socket: TcpSocket, rawMessage: unknown): Promise<void> {
    const { id, pattern } = (rawMessage ?? {}) as { id?: unknown; pattern?: unknown };
    const name = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
    const caller = this.callers.get(socket);
    if (mayCall(caller, name)) {
      await super.handleMessage(socket, rawMessage);
      return;
    }
    this.refusals.warn({ msg: 'command refused', errorCode: 'CALLER_NOT_ALLOWED', caller: caller ?? 'unknown', pattern: name });
    // Events (no id) expect no answer: a refused one is dropped.
    if (typeof id !== 'string') return;
    const err: RpcErrorPayload = { code: 'CALLER_NOT_ALLOWED', message: `${caller ?? 'this caller'} may not send ${name}` };
    socket.sendMessage(await this.serializer.serialize({ id, err, isDisposed: true }));
  }

  protected override getRouteFromPattern(pattern: string): string {
    const first = pattern.charAt(0);
    return first === '{' || first === '[' || first === '"' ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }
}
