import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where `npm run build` puts the page: dist/apps/orchestrator/web (this file runs from dist/apps/orchestrator/src/ui). */
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

/** Everything the page loads comes from here: no CDN, no inline script or style. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Serves the page at /ui/ (its routes all answer the one index.html; the script picks the view) and
 * its modules and styles under /ui/assets/. Files are read once at boot; nothing runs per request
 * beyond sending them, and nothing at all while no page is open.
 */
export async function mountUi(app: NestFastifyApplication): Promise<void> {
  const html = await readFile(path.join(WEB_ROOT, 'index.html'), 'utf8');
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/ui/assets/', index: false, maxAge: '5m', decorateReply: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/ui', (_request, reply) => reply.redirect('/ui/'));
  for (const route of ['/ui/', '/ui/system', '/ui/transfers/:id']) {
    fastify.get(route, (_request, reply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('cache-control', 'no-cache')
        .send(html),
    );
  }
}
