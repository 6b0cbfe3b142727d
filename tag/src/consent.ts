import type { ConsentChoice } from '../tag';

/**
 * Consent state, as the site last set it with `tag.consent({analytics})`. `true` (the default
 * unless the site configures `'pending'`): send and store. `'pending'`: hold events in memory,
 * send nothing, write no cookie or storage. `false`: discard. The transitions (release, discard,
 * forget) are in api.ts; this module only answers "may we?".
 */
export const consentState: { now: ConsentChoice['analytics'] } = { now: true };

export const allowed = (): boolean => consentState.now === true;
