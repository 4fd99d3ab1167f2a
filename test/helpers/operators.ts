import { expect } from 'vitest';
import type { TestHub } from './hub.js';

/** A signed-in operator as a browser would be: the cookies the hub set, and the CSRF token it answered. */
export interface OperatorClient {
  cookie: string;
  csrf: string;
  /** A request to `/admin/api…` with the cookies, and the CSRF token on changes unless `csrf` says otherwise. */
  call(path: string, init?: { method?: string; body?: unknown; csrf?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
}

export function client(url: string, cookie: string, csrf: string): OperatorClient {
  return {
    cookie,
    csrf,
    async call(path, init = {}) {
      const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
      const token = init.csrf === undefined ? csrf : init.csrf;
      const response = await fetch(`${url}/admin/api${path}`, {
        method,
        headers: {
          cookie,
          ...(method !== 'GET' && token !== null ? { 'x-csrf-token': token } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      return { status: response.status, body: await bodyOf(response), headers: response.headers };
    },
  };
}

/** JSON answers parsed; anything else (a CSV export) as text. */
export async function bodyOf(response: Response): Promise<any> {
  const text = await response.text();
  if (text === '') return null;
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

export async function signIn(url: string, email: string, password: string): Promise<OperatorClient> {
  const response = await fetch(`${url}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await response.json()) as { csrfToken: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return client(url, cookiesOf(response), body.csrfToken);
}

/** An operator of `role` invited by the admin token and signed in by accepting. */
export async function operatorWithRole(hub: TestHub, email: string, role: string, password = 'correct horse battery staple'): Promise<OperatorClient> {
  const invited = await hub.admin('/operators', { body: { email, role } });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const token = new URL(invited.body.inviteUrl).hash.replace('#token=', '');
  const response = await fetch(`${hub.url}/admin/api/invitations/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  const body = (await response.json()) as { csrfToken: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return client(hub.url, cookiesOf(response), body.csrfToken);
}
