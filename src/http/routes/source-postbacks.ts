import { Type } from 'typebox';
import type { SourcePostbackIntake } from '../../features/sources/source-intake.js';
import type { App } from '../types.js';

/**
 * `GET|POST /postbacks/:slug`: the inbound URL of every configured source. The body arrives as
 * raw bytes (signatures are computed over them, and the raw request is recorded as sent).
 */
export function sourcePostbackRoutes(deps: { intake: SourcePostbackIntake; maxBodyBytes: number; origin: (request: { protocol: string; host: string }) => string }) {
  return async function (app: App): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_request, body, done) => done(null, body));
    app.route({
      method: ['GET', 'POST'],
      url: '/postbacks/:slug',
      bodyLimit: deps.maxBodyBytes,
      schema: {
        tags: ['inbound postbacks'],
        summary: "A partner's postback, read by its source's definition (query, form or JSON)",
        description:
          'Answers what the source is configured to answer: the hub JSON by default, or a fixed text (`1`, `OK`, `{external_id}:OK`). ' +
          'A duplicate answers success and changes nothing.',
        params: Type.Object({ slug: Type.String({ maxLength: 63 }) }),
      },
      handler: async (request, reply) => {
        const url = request.raw.url ?? request.url;
        const at = url.indexOf('?');
        const answer = await deps.intake.handle(request.params.slug, {
          method: request.method,
          path: at < 0 ? url : url.slice(0, at),
          rawQuery: at < 0 ? '' : url.slice(at + 1),
          query: request.query as Record<string, unknown>,
          headers: request.headers,
          ip: request.ip,
          body: request.body as Buffer | undefined,
          origin: deps.origin(request),
        });
        if ('text' in answer) return reply.status(answer.status).type('text/plain; charset=utf-8').send(answer.text);
        return reply.status(answer.status).type('application/json; charset=utf-8').send(JSON.stringify(answer.json));
      },
    });
    return Promise.resolve();
  };
}
