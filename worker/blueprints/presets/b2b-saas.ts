import type { BlueprintDefinition } from '../schema';
import { SEED_EVENTS, STANDARD_TRAITS } from './seedDefaults';

/** Segment's B2B `company` trait object → flat attributes MoEngage can segment on. */
const COMPANY_TRAITS = {
  'company.id': 'company_id',
  'company.name': 'company_name',
  'company.industry': 'company_industry',
  'company.employee_count': 'company_size',
  'company.plan': 'company_plan',
};

/**
 * B2B / SaaS: the seed's defaults plus the sign-up → trial → plan → account funnel. Accounts
 * (Segment `group` calls and the `company` trait) become company_* attributes of the user, since
 * MoEngage has users, not accounts.
 */
export const b2bSaas: BlueprintDefinition = {
  name: 'b2b-saas',
  description: 'B2B / SaaS: sign-ups, trials, plans, demos, accounts.',
  events: {
    ...SEED_EVENTS,
    'Trial Started': {},
    'Plan Upgraded': {},
    'Demo Requested': {},
    'Account Created': { traits: COMPANY_TRAITS },
  },
  userAttributes: { ...STANDARD_TRAITS, ...COMPANY_TRAITS, title: 'job_title' },
  group: {
    idAttribute: 'company_id',
    attributes: {
      name: 'company_name',
      industry: 'company_industry',
      employees: 'company_size',
      plan: 'company_plan',
      website: 'company_website',
    },
  },
};
