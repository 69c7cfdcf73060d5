/**
 * Every job, by name (`<plugin>.<job>`), with its payload type; plugins add
 * theirs by declaration merging, as with {@link PlinthEvents}.
 *
 * @example
 * ```ts
 * declare module '@plinth/sdk' {
 *   interface PlinthJobs {
 *     'crm.campaign.send': { campaignId: string };
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by declaration merging
export interface PlinthJobs {}

/** A known job name. */
export type JobName = keyof PlinthJobs & string;
