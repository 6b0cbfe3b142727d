import type { BlueprintInput } from '../schema';
import { retail } from './retail';

/** B2B / SaaS: the seed's defaults plus the trial → plan → account funnel a SaaS site needs. */
export const b2bSaas: BlueprintInput = {
  name: 'b2b-saas',
  description: 'B2B / SaaS: sign-ups, trials, plans, demos, accounts.',
  events: {
    page: { action: 'Page Viewed' },
    'Products Searched': {},
    'Product Viewed': {},
    'Product Added': {},
    'Checkout Started': {},
    'Order Completed': {},
    'Signed Up': {},
    'Logged In': {},
    'Subscription Started': {},
    'Trial Started': {},
    'Plan Upgraded': {},
    'Demo Requested': {},
    'Account Created': {},
  },
  userAttributes: { ...retail.userAttributes, company: 'company', title: 'job_title' },
};
