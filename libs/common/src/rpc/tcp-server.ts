import { ServerTCP } from '@nestjs/microservices';

/**
 * Nest's TCP transport, routing plain string patterns directly. Nest tries `JSON.parse` on every
 * incoming pattern (object patterns travel as JSON); ours are `<service>.<verb-noun>` strings, so
 * each command threw and caught a SyntaxError, which cost more than the rest of the routing.
 */
export class TcpServer extends ServerTCP {
  protected override getRouteFromPattern(pattern: string): string {
    const first = pattern.charAt(0);
    return first === '{' || first === '[' || first === '"' ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }
}
