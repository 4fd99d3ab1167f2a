import type { ReviewState } from '../../api';

/** Each review state as a badge and as a sentence saying what it means for credit and postbacks. */
export const REVIEW_WORDS: Record<ReviewState, { badge: string; text: string }> = {
  held: { badge: 'held for review', text: 'Held for review: not credited and not sent to partners until you approve it.' },
  flagged: { badge: 'flagged', text: 'Flagged: credited and sent to partners anyway. Reject it to take the credit back.' },
  approved: { badge: 'approved', text: 'Approved: credited and sent to partners.' },
  rejected: { badge: 'rejected in review', text: 'Rejected in review: not credited (a credit it had was reversed) and not counted as a conversion.' },
};
