import { Type } from 'typebox';
import type { ClickService } from '../../clicks/clicks.js';
import type { App } from '../types.js';

/** `GET /c/:link`: a click recorded and redirected. Partners' users land here, not operators. */
export function clickRoutes(deps: { clicks: Pick<ClickService, 'click'> }) {
  return function (app: App): Promise<void> {
    app.get(
      '/c/:link',
      {
        schema: {
          tags: ['tracking links'],
          summary: 'A tracking link: records the click (a new click id) and redirects with 302',
          params: Type.Object({ link: Type.String({ minLength: 1, maxLength: 200 }) }),
        },
        // The clicks table is the record of every click; an access-log line each would cost a
        // fifth of the redirect's time.
        logLevel: 'warn',
      },
      async (request, reply) => {
        const query: Record<string, string> = {};
        for (const [key, value] of Object.entries(request.query as Record<string, string | string[] | undefined>)) {
          const first = Array.isArray(value) ? value[0] : value;
          if (first !== undefined) query[key] = first;
        }
        const outcome = await deps.clicks.click(request.params.link, query, request.ip, request.headers['user-agent'] ?? null);
        if (outcome.kind === 'redirect') return reply.code(302).header('location', outcome.location).header('cache-control', 'no-store').send();
        const [status, title, text] =
          outcome.kind === 'not_found' ? [404, 'Link not found', 'This link does not exist or is no longer active.'] : [400, 'Link incomplete', outcome.message];
        return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page(title, text));
      },
    );
    return Promise.resolve();
  };
}

function page(title: string, text: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`;
}
