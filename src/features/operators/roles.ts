/**
 * What an operator or an admin API key may do. A scope is one kind of access; a role is the
 * set of scopes a person in that job needs. Every admin route names the one scope it needs
 * (http/route-scopes.ts), and the server refuses a caller without it, whatever the dashboard shows.
 */
export const SCOPES = {
  'config:read': 'read the configuration: sources, destinations, catalog, links, goals, secrets listed (never shown), the fraud policy, alerts',
  'config:write': 'change the configuration, send test postbacks, and create, change or delete users',
  'data:read': 'read events, users, balances, ledgers, traces, clicks and delivery history',
  'reports:read': 'read the overview and reports, and export CSV',
  'events:review': 'approve or reject held events',
  'balances:adjust': "credit or debit a user's balance by hand",
  'deliveries:replay': 'replay deliveries to partners',
  'audit:read': 'read and export the audit log',
  'operators:manage': 'invite, change and remove operators; create and revoke admin API keys',
} as const;

export type Scope = keyof typeof SCOPES;
export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];

export const ROLES = ['owner', 'admin', 'support', 'finance'] as const;
export type Role = (typeof ROLES)[number];

const READ: Scope[] = ['config:read', 'data:read', 'reports:read', 'audit:read'];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  owner: SCOPE_NAMES,
  admin: SCOPE_NAMES.filter((scope) => scope !== 'operators:manage'),
  support: [...READ, 'events:review', 'balances:adjust'],
  finance: ['data:read', 'reports:read', 'audit:read'],
};

export const ROLE_WORDS: Record<Role, string> = {
  owner: 'everything, including operators and admin API keys',
  admin: 'the configuration, reviews, adjustments and replays',
  support: 'reads everything; approves or rejects held events; adjusts balances',
  finance: 'reports, exports and data, read-only',
};

/** Who is calling: a signed-in operator, an admin API key, or the admin token (an owner key). */
export interface Actor {
  kind: 'operator' | 'key';
  id: string;
  /** What the audit log says: an operator's email, `key "name"`, or `admin token`. */
  name: string;
  role: Role | null;
  scopes: ReadonlySet<Scope>;
  /** A signed-in operator's session (the CSRF token is bound to it). */
  sessionId?: string;
}

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}
