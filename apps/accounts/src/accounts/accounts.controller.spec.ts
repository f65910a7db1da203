import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { AccountsPatterns, GetAccountQuery, ListAccountsQuery, ListBalancesQuery } from '@bank/contracts';
import { AccountsController } from './accounts.controller.js';

const QUERIES = new Set<unknown>([GetAccountQuery, ListAccountsQuery, ListBalancesQuery]);

/** Each route of the controller: its method name and the patterns Nest reads from its @MessagePattern. */
function routes(): { method: keyof AccountsController; patterns: string[] }[] {
  const proto = AccountsController.prototype as unknown as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor')
    .map((name) => ({
      method: name as keyof AccountsController,
      patterns: (Reflect.getMetadata(PATTERN_METADATA, proto[name] as object) as string[] | undefined) ?? [],
    }));
}

describe('AccountsController (unit)', () => {
  it('routes every accounts pattern of the contract, each exactly once', () => {
    const routed = routes().flatMap((r) => r.patterns);
    expect([...routed].sort()).toEqual(Object.values(AccountsPatterns).sort());
  });

  it('hands each payload unchanged to its handler: commands to the CommandBus, queries to the QueryBus', async () => {
    const sent: { bus: string; message: unknown }[] = [];
    const bus = (name: string) => ({ execute: (message: unknown) => Promise.resolve(sent.push({ bus: name, message }) && { from: name }) });
    const controller = new AccountsController(bus('commands') as unknown as CommandBus, bus('queries') as unknown as QueryBus);
    const paramTypes = (method: string) => Reflect.getMetadata('design:paramtypes', AccountsController.prototype, method) as unknown[];

    for (const { method } of routes()) {
      const [messageType] = paramTypes(method);
      const payload = { route: method };
      const expected = QUERIES.has(messageType) ? 'queries' : 'commands';
      await expect((controller[method] as (p: unknown) => Promise<unknown>).call(controller, payload)).resolves.toEqual({ from: expected });
      expect(sent.pop()).toEqual({ bus: expected, message: payload });
    }
  });
});
