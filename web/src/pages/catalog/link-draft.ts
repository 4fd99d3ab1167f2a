// The new-link form's fields as typed, and the API body they make.

export interface LinkDraft {
  offerId: string;
  partner: string;
  id: string;
  name: string;
  mode: 'target' | 'playStore';
  target: string;
  pkg: string;
  pid: string;
  param: string;
}

export const EMPTY_LINK: LinkDraft = { offerId: '', partner: '', id: '', name: '', mode: 'target', target: '', pkg: '', pid: '', param: '' };

/** The API body for a new link: optional fields only when filled in. */
export function linkBody(draft: LinkDraft) {
  const config = {
    ...(draft.mode === 'target' ? { target: draft.target.trim() } : { playStore: { package: draft.pkg.trim(), pid: draft.pid.trim() } }),
    ...(draft.param.trim() ? { partnerClickIdParam: draft.param.trim() } : {}),
  };
  return {
    offerId: draft.offerId,
    config,
    ...(draft.id.trim() ? { id: draft.id.trim() } : {}),
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
    ...(draft.partner.trim() ? { partner: draft.partner.trim() } : {}),
  };
}
