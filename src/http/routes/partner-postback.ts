import { Type } from 'typebox';
import { LevelPostbackSchema } from '../../features/level-postbacks/level-postback.js';
import type { LevelPostbackIntake } from '../../features/level-postbacks/level-postbacks-intake.js';
import { ErrorSchema } from '../schemas.js';
import type { App } from '../types.js';

const UserSummary = Type.Object({
  id: Type.String(),
  coins: Type.Integer(),
  appId: Type.Union([Type.String(), Type.Null()]),
  deviceId: Type.Union([Type.String(), Type.Null()]),
});

// Both answers of the partner postback API (recorded, duplicate) in one flat schema, documenting every field.
const AnswerSchema = Type.Object({
  ok: Type.Boolean(),
  awarded: Type.Boolean(),
  milestone: Type.Optional(Type.Boolean()),
  duplicate: Type.Optional(Type.Boolean()),
  pid: Type.String(),
  gid: Type.String(),
  game_id: Type.Optional(Type.String()),
  level_number: Type.Integer(),
  coinDelta: Type.Optional(Type.Integer()),
  user: Type.Optional(UserSummary),
  message: Type.Optional(Type.String()),
});

const LEGACY_PATHS = ['/api/reward/postback', '/api/rewards/postback'];

/**
 * The partner postback API: level completions. The body reaches the intake as raw bytes: the
 * intake parses it itself so that malformed bodies are recorded with their reason like any other
 * rejection, and so that the raw request can be kept as it arrived.
 */
export function partnerPostbackRoutes(deps: { intake: LevelPostbackIntake; maxBodyBytes: number }) {
  return async function (app: App): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_request, body, done) => done(null, body));

    app.post(
      '/api/postback',
      {
        bodyLimit: deps.maxBodyBytes,
        schema: {
          tags: ['partner postback API'],
          summary: 'Report a completed level; coins are credited on milestone levels',
          description:
            'Authenticate with `Authorization: Bearer <secret>` or `X-Reward-Api-Secret: <secret>`. ' +
            'Aliases: `userId`/`user_id` for `uid`, `game_id`/`gameId` for `gid`, `level` for `level_number`. ' +
            'The same user + game + level is credited once; repeats answer 200 with `duplicate: true`.',
          security: [{ partnerBearer: [] }, { partnerSecretHeader: [] }],
          body: LevelPostbackSchema,
          response: { 200: AnswerSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema },
        },
        // The schemas document the route. The intake validates the body (after resolving
        // aliases) and builds each answer with its keys in the documented order, which plain
        // JSON.stringify keeps (fast-json-stringify would put required keys first).
        validatorCompiler: () => () => true,
        serializerCompiler: () => (data) => JSON.stringify(data),
      },
      async (request) =>
        deps.intake.handle({
          method: request.method,
          path: request.url.split('?')[0]!,
          query: request.query as Record<string, unknown>,
          headers: request.headers,
          ip: request.ip,
          body: request.body as unknown as Buffer | undefined,
        }),
    );

    // One route per method: each is an operation of its own in the OpenAPI document.
    for (const path of LEGACY_PATHS) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        app.route({
          method,
          url: path,
          bodyLimit: deps.maxBodyBytes,
          schema: {
            tags: ['partner postback API'],
            summary: 'Legacy path: 308 to /api/postback, keeping method and body',
            operationId: `legacy${path.includes('rewards') ? 'Rewards' : 'Reward'}Postback${method[0]}${method.slice(1).toLowerCase()}`,
            deprecated: true,
            security: [],
            response: { 308: { description: 'Sent on to /api/postback with the same method, query and body', type: 'null' } },
          },
          handler: async (request, reply) => {
            const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
            return reply.redirect(`/api/postback${query}`, 308);
          },
        });
      }
    }
    return Promise.resolve();
  };
}
