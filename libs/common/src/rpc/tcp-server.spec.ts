import { jest } from '@jest/globals';
import { TcpServer } from './tcp-server.js';

class Probe extends TcpServer {
  route(pattern: string): string {
    return this.getRouteFromPattern(pattern);
  }
}

describe('TcpServer routing', () => {
  const server = new Probe({ host: '127.0.0.1', port: 0 });

  it('routes a plain string pattern as itself, without parsing it', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(server.route('ledger.post-transfer')).toBe('ledger.post-transfer');
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('still routes object patterns the way Nest does', () => {
    expect(server.route(JSON.stringify({ cmd: 'sum' }))).toBe(new Probe({ host: '127.0.0.1', port: 0 })['normalizePattern']({ cmd: 'sum' }));
    expect(server.route('"quoted"')).toBe('quoted');
  });
});
