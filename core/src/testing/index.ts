export { createTestKernel, type TestKernel, type TestKernelOptions, type TestRequestOptions, type TestResponse } from './test-kernel.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
export { signUp, asUser, testPassword, type TestUser } from './fixtures.js';
export { addMember } from './members.js';
export { solidPng } from './png.js';
export { leftoverEnglish, type Catalogues } from './languages.js';
export { planAsTenant } from './plans.js';
export { translatableStrings, missingTranslations } from '../plugins/plugin-strings.js';
export { auditTrail, type TestAuditEntry } from './audit.js';
