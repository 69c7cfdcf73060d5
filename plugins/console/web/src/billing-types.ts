/**
 * The billing shapes the tenant's and the host's screens share, as the API answers them (docs/billing.md). No
 * imports: the host model's unit test type-checks it with NodeNext resolution.
 */

/** A billing interval of a price. */
export type BillingInterval = 'month' | 'year';

/** One price of a plan or an add-on: an amount in the currency's minor units per interval. */
export interface BillingPrice {
  currency: string;
  interval: BillingInterval;
  amount: number;
}

/** A plan the host sells. */
export interface Plan {
  id: string;
  key: string;
  name: string;
  description: string;
  prices: BillingPrice[];
  trial_days: number;
  limits: Record<string, number | null>;
  plugins: string[] | null;
  is_default: boolean;
  public: boolean;
  sort: number;
  archived_at: string | null;
}
