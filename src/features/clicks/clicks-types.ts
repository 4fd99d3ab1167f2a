/** What became of a link so far: its clicks, and the conversions attributed to it. */
export interface LinkCounts {
  clicks: number;
  conversions: number;
}

export interface LinkRecord {
  id: string;
  name: string | null;
  offerId: string;
  partner: string | null;
  config: Record<string, unknown>;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type LinkPatch = Partial<Pick<LinkRecord, 'name' | 'partner' | 'config' | 'enabled'>>;

export interface ClickRecord {
  id: string;
  linkId: string;
  offerId: string;
  partner: string | null;
  userId: string | null;
  partnerClickId: string | null;
  ip: string | null;
  userAgent: string | null;
  query: Record<string, string>;
  createdAt: number;
}

export interface ClickFilter {
  from?: number;
  to?: number;
  linkId?: string;
  userId?: string;
  limit: number;
  cursor?: string;
}
