import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from '../types.js';

/** Where `npm run build` puts the dashboard (vite build of web/): `dist/web` at the package root. */
export const DEFAULT_DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/web');

// The dashboard holds the admin token in sessionStorage: no third-party code, no framing.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * `/admin`: the web dashboard's built files, and its page for every client-side route
 * (`/admin/sources`, …) except the admin API. Without a build, a page that says so.
 */
export function dashboardRoutes(options: { dir?: string } = {}) {
  const root = options.dir ?? DEFAULT_DASHBOARD_DIR;
  return async function (app: App): Promise<void> {
    const built = fs.existsSync(path.join(root, 'index.html'));
    if (built) await app.register(fastifyStatic, { root, serve: false });

    app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin/'));
    app.get('/admin/*', { schema: { hide: true } }, (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      if (rest === 'api' || rest.startsWith('api/')) {
        return reply.status(404).send({ ok: false, error: 'not_found', message: `Route ${request.method}:${request.url} not found` });
      }
      void reply.headers(SECURITY_HEADERS);
      if (!built) {
        return reply
          .status(503)
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><meta charset="utf-8"><title>Postback Hub</title><h1>The dashboard is not built</h1>' +
              '<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds) and reload. The admin API at <code>/admin/api</code> works without it.</p>',
          );
      }
      const file = path.normalize(rest);
      const inside = file !== '' && !file.startsWith('..') && !path.isAbsolute(file) && isFile(path.join(root, file));
      if (inside) {
        // Vite names assets by content hash: they never change.
        const immutable = file.startsWith(`assets${path.sep}`);
        void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        return reply.sendFile(file, { cacheControl: false });
      }
      // A client-side route: the app's page, never cached (it names the current assets).
      void reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    });
    return Promise.resolve();
  };
}

/** A file of the build. Any path the file system refuses (a NUL byte, a name too long, a file taken for a folder) is none. */
function isFile(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}
