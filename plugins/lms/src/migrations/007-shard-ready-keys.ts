import { shardReadyMigration, type ShardReadySpec } from '@plinth/sdk';

/**
 * The plugin's tenant tables become distributable by `tenant_id` (ADR 0014 of Plinth): primary keys `(id, tenant_id)`
 * and foreign keys between them `(tenant_id, x_id) → (tenant_id, id)`, so a row can only point at a row of its own
 * tenant. Certificate codes (16 random characters) become unique per tenant, with a plain index for the lookup by code.
 * Every row is kept; the down restores the previous keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'lms_courses',
    'lms_modules',
    'lms_lessons',
    'lms_enrollments',
    'lms_lesson_progress',
    'lms_purchases',
    'lms_drip_notices',
    'lms_quizzes',
    'lms_questions',
    'lms_attempts',
    'lms_submissions',
    'lms_certificates',
    'lms_guardians',
  ],
  uniques: [{ table: 'lms_certificates', name: 'lms_certificates_code_unique', columns: ['code'] }],
};

export const shardReadyKeys = shardReadyMigration('007-shard-ready-keys', spec);
