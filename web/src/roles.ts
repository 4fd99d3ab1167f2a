// The server's own words for scopes and roles (one source: the hub's roles.ts, which imports nothing).
export { ROLE_SCOPES, ROLE_WORDS, ROLES, SCOPE_NAMES, SCOPES } from '../../src/features/operators/roles';
