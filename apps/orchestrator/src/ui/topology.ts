import {
  ALL_EVENT_TYPES,
  EVENT_PRODUCERS,
  EVENT_SUBSCRIPTIONS,
  PATTERN_CALLERS,
  SERVICE_IDENTITIES,
  type ServiceIdentity,
} from '@bank/contracts';
import type { SystemTopology, TopologyEdge } from './ui.views.js';

export type { SystemTopology, TopologyEdge };

const SERVICES = SERVICE_IDENTITIES.filter((name) => name !== 'operator');
const isService = (name: string): boolean => (SERVICES as readonly string[]).includes(name);

function grouped(pairs: [from: string, to: string, what: string][]): TopologyEdge[] {
  const edges = new Map<string, TopologyEdge>();
  for (const [from, to, what] of pairs) {
    const key = `${from}>${to}`;
    const edge = edges.get(key) ?? edges.set(key, { from, to, carries: [] }).get(key)!;
    edge.carries.push(what);
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/**
 * The arrows of the system drawn from the tables the services enforce, so the picture cannot drift
 * from the rules: PATTERN_CALLERS (a pattern `<service>.<verb>` is served by that service; people's
 * `operator` identity is no service) and EVENT_PRODUCERS with EVENT_SUBSCRIPTIONS (`#`: every type).
 */
export function systemTopology(): SystemTopology {
  const commands = Object.entries(PATTERN_CALLERS).flatMap(([pattern, callers]) => {
    const target = pattern.split('.')[0];
    return (callers as readonly ServiceIdentity[])
      .filter((caller) => isService(caller) && isService(target) && caller !== target)
      .map((caller): [string, string, string] => [caller, target, pattern]);
  });
  const events = Object.entries(EVENT_SUBSCRIPTIONS).flatMap(([subscriber, bindings]) =>
    ALL_EVENT_TYPES.filter((type) => bindings.includes('#') || (bindings as readonly string[]).includes(type)).map(
      (type): [string, string, string] => [EVENT_PRODUCERS[type], subscriber, type],
    ),
  );
  return { commands: grouped(commands), events: grouped(events) };
}
