import type { PluginMetrics, TenantDb } from '@plinth/sdk';
import type { EnrollmentSource } from './enrollments.js';

const sources: readonly EnrollmentSource[] = ['self', 'manual', 'purchase'];

/** Counts a new enrolment in `plinth_lms_enrollments_total`, by how it came about, once the transaction commits. */
export function countEnrollment(deps: { db: TenantDb; metrics: PluginMetrics }, source: EnrollmentSource): void {
  const enrollments = deps.metrics.counter('enrollments_total', {
    help: 'Enrolments created, by source (self, manual, purchase)',
    labels: { source: sources },
  });
  deps.db.afterCommit(() => enrollments.inc({ source }));
}
