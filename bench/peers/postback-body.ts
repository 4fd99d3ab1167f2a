// The body of a level postback as the inbound peer apps validate it (Fastify's JSON schema),
// the same constraints the hub's LevelPostbackSchema puts on the canonical fields.
export const POSTBACK_BODY = {
  type: 'object',
  required: ['pid', 'uid', 'gid', 'level_number'],
  properties: {
    pid: { type: 'string', minLength: 1, maxLength: 128 },
    uid: { type: 'string', format: 'uuid' },
    gid: { type: 'string', minLength: 1, maxLength: 128 },
    level_number: { type: 'integer', minimum: 1 },
  },
} as const;

export interface Postback {
  pid: string;
  uid: string;
  gid: string;
  level_number: number;
}
