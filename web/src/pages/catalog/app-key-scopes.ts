import type { AppKeyScope } from '../../api';

/** What each scope of an app key lets the reward app do, in words. */
export const APP_KEY_SCOPES: Array<{ scope: AppKeyScope; text: string }> = [
  { scope: 'balances:read', text: 'read balances and ledgers' },
  { scope: 'feed:read', text: 'read the credit feed' },
  { scope: 'feed:ack', text: 'acknowledge feed entries' },
  { scope: 'traces:read', text: 'answer “where is my reward?”' },
];
