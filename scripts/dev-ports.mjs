// The compose `dev-ports` service (profile `dev` only): forwards TCP ports of this container to
// services inside the compose network, so the dev tools (the notifications dev outbox, each app's
// /health, /metrics and reads, RabbitMQ's management UI) are reachable from the host on 127.0.0.1
// without the services themselves publishing anything. Compose profiles select services, not ports:
// this one service is the dev profile's whole surface.
//   node scripts/dev-ports.mjs 3004=notifications:3004 15672=rabbitmq:15672 ...
// Plain bytes both ways (TLS, when a service speaks it, passes through untouched).
import net from 'node:net';

const routes = process.argv.slice(2).map((arg) => {
  const match = /^(\d+)=([a-z0-9.-]+):(\d+)$/i.exec(arg);
  if (!match) {
    process.stderr.write(`dev-ports: expected <port>=<host>:<port>, got "${arg}"\n`);
    process.exit(2);
  }
  return { listen: Number(match[1]), host: match[2], port: Number(match[3]) };
});
if (routes.length === 0) {
  process.stderr.write('dev-ports: no routes given\n');
  process.exit(2);
}

const log = (msg, extra = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'dev-ports', msg, ...extra })}\n`);

const servers = routes.map(({ listen, host, port }) => {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    // Either side ending or failing ends both: a refused upstream (service restarting) closes the client.
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(listen, '0.0.0.0', () => log('forwarding', { listen, to: `${host}:${port}` }));
  return server;
});

const stop = () => {
  for (const server of servers) server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
