import type { FieldPath, SourceDefinition } from '../../api';

// A source's definition as the dashboard shows and edits it: the hub's fields, mapping paths as
// text, and its authentication in words.

export const HUB_FIELDS: Array<{ key: keyof SourceDefinition['fields']; label: string; hint: string }> = [
  { key: 'user', label: 'User', hint: 'required: whose postback it is' },
  { key: 'externalId', label: 'External id', hint: 'the partner’s unique id (de-duplicates)' },
  { key: 'offer', label: 'Offer', hint: 'offer or game id' },
  { key: 'eventType', label: 'Event type', hint: 'e.g. event_name' },
  { key: 'amount', label: 'Amount', hint: 'revenue / payout, decimal' },
  { key: 'currency', label: 'Currency', hint: 'ISO code' },
  { key: 'level', label: 'Level', hint: 'whole number' },
  { key: 'clickId', label: 'Click id', hint: 'attribution' },
  { key: 'status', label: 'Status', hint: 'for reversals' },
  { key: 'reward', label: 'Partner reward', hint: 'coins the partner states' },
  { key: 'timestamp', label: 'Timestamp', hint: 'unix s/ms or ISO' },
];

export const pathText = (path: FieldPath | undefined) => (path === undefined ? '' : typeof path === 'string' ? path : path.join(', '));

export const parsePath = (text: string): FieldPath | undefined => {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : parts;
};

type AuthRule = SourceDefinition['auth'][number];
type LeafAuthRule = Extract<AuthRule, { kind: 'any' }>['rules'][number];

export function authSummary(definition: SourceDefinition): string {
  if (definition.auth.length === 0) return 'none';
  const describe = (rule: AuthRule | LeafAuthRule): string => {
    switch (rule.kind) {
      case 'bearer':
        return 'Bearer token';
      case 'secret-header':
        return `secret in header ${rule.header}`;
      case 'secret-query':
        return `secret in ?${rule.param}`;
      case 'ip-allowlist':
        return 'IP allowlist';
      case 'signature':
        return `signature (${'algorithm' in rule.scheme ? rule.scheme.algorithm : rule.scheme.kind})`;
      case 'timestamp':
        return 'timestamp';
      case 'any':
        return rule.rules.map(describe).join(' or ');
    }
  };
  return definition.auth.map(describe).join(' + ');
}
