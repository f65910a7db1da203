// An OTLP/HTTP receiver that takes spans and drops them: something for the apps to export to when
// measuring what tracing costs (`npm run bench` with tracing on) on a machine without a collector or
// Jaeger. Listens on 127.0.0.1:${OTLP_SINK_PORT:-4318}, answers every POST /v1/traces with success
// (an empty response is a valid one in protobuf and `{}` in JSON), and prints what it took every 10 s
// and when stopped. Not a trace store: for looking at traces use Jaeger (README, "Tracing").
import http from 'node:http';

const port = Number(process.env.OTLP_SINK_PORT ?? 4318);
let requests = 0;
let bytes = 0;
let refused = 0;

const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => (size += chunk.length));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      refused++;
      res.writeHead(404).end();
      return;
    }
    requests++;
    bytes += size;
    const json = String(req.headers['content-type']).startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
  });
});

const report = () => process.stdout.write(`${JSON.stringify({ otlpSink: { requests, bytes, refused } })}\n`);
const timer = setInterval(report, 10_000);
const stop = () => {
  clearInterval(timer);
  report();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

server.listen(port, '127.0.0.1', () => process.stdout.write(`OTLP sink on http://127.0.0.1:${port} (POST /v1/traces)\n`));
