import type { DestinationConfig } from '../../api';

// A destination's configuration in words, for its card.

export function describeMatch(config: DestinationConfig): string {
  const parts = [
    config.match.eventTypes ? `types ${config.match.eventTypes.join(', ')}` : null,
    config.match.sources ? `from ${config.match.sources.join(', ')}` : null,
    config.match.offers ? `offers ${config.match.offers.join(', ')}` : null,
    config.match.partners ? `partners ${config.match.partners.join(', ')}` : null,
    config.match.goals ? `completed goals ${config.match.goals.join(', ')}` : null,
  ].filter(Boolean);
  return parts.length === 0 ? 'every accepted event' : parts.join('; ');
}

export function describeRetry(config: DestinationConfig): string {
  const r = config.retry;
  if (r.kind === 'linear') return `${r.resends} resends, the n-th after n × ${r.intervalMs / 1000} s`;
  if (r.kind === 'schedule') return `after ${r.delaysMs.map((d) => `${d / 1000} s`).join(', ')}`;
  return `exponential from ${r.baseMs / 1000} s up to ${r.capMs / 1000} s, ${r.maxAttempts} attempts`;
}

export function describeSuccess(config: DestinationConfig): string {
  const s = config.success;
  return s.kind === '2xx' ? 'any 2xx' : s.kind === 'status' ? `HTTP ${s.status}` : `body “${s.equals}”`;
}

export function describeSigning(config: DestinationConfig): string {
  const s = config.signing;
  if (!s) return 'none';
  return s.kind === 'standard-webhooks' ? 'Standard Webhooks' : `HMAC ${s.algorithm} in ${s.header}`;
}
