import { createContext, useContext } from 'react';
import type { Scope, Session } from './api';

// Who is signed in, for every page: the hub refuses what a role may not do whatever the
// dashboard shows, so this only keeps out of sight the pages and buttons that would be refused.

const SessionContext = createContext<Session | null>(null);

export const SessionProvider = SessionContext.Provider;

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside the signed-in shell');
  return session;
}

/** Whether the caller's role (or key) has `scope`. */
export function can(session: Session, scope: Scope): boolean {
  return session.scopes.includes(scope);
}

/** Whether the signed-in caller may do what `scope` allows: for hiding or disabling a control. */
export function useCan(scope: Scope): boolean {
  return can(useSession(), scope);
}
