import { Type } from 'typebox';
import type { SourcePostbackIntake } from '../../features/sources/source-intake.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../types.js';
import { ErrorSchema } from '../schemas.js';

/**
 * `GET|POST /postbacks/:slug`: the inbound URL of every configured source. The body arrives as
 * raw bytes (signatures are computed over them, and the raw request is recorded as sent).
 */
export function sourcePostbackRoutes(deps: { intake: SourcePostbackIntake; maxBodyBytes: number; origin: (request: { protocol: string; host: string }) => string }) {
  return async function (app: App): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_request, body, done) => done(null, body));
    // Answers are sent as text, as the source says: these schemas document them, they do not serialize.
    const answer = (description: string) => ({ description, type: 'string' });
    const handler = async (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) => {
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
    };
    // One route per method: each is an operation of its own in the OpenAPI document.
    for (const method of ['GET', 'POST'] as const) {
      app.route({
        method,
        url: '/postbacks/:slug',
        bodyLimit: deps.maxBodyBytes,
        schema: {
          tags: ['inbound postbacks'],
          summary: method === 'GET' ? "A partner's postback in the query, read by its source's definition" : "A partner's postback (query, form or JSON body), read by its source's definition",
          description:
            'Authenticated as the source says (a secret in the query or a header, a bearer token, a signature, an IP allowlist), so the document names no scheme. ' +
            'Answers what the source is configured to answer: the hub JSON by default, or a fixed text (`1`, `OK`, `{external_id}:OK`). ' +
            'A duplicate answers success and changes nothing.',
          params: Type.Object({ slug: Type.String({ maxLength: 63 }) }),
          response: {
            200: answer('Recorded, or a duplicate: JSON, or the text the source answers'),
            // A refusal is the hub's JSON error, or the text the source answers.
            400: ErrorSchema,
            401: ErrorSchema,
            404: ErrorSchema,
            503: ErrorSchema,
          },
        },
        handler,
      });
    }
    return Promise.resolve();
  };
}
