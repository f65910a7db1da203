import { Logger } from '@nestjs/common';
import { ServerTCP, type TcpOptions, type TcpSocket } from '@nestjs/microservices';
import type { Socket } from 'node:net';
import { mayCall, type RpcErrorPayload, type ServiceIdentity } from '@bank/contracts';
import { peerIdentity } from '../tls/tls-identity.js';

/**
 * Nest's TCP transport with two changes:
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
    super(options);
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
