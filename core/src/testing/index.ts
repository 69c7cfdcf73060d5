export { createTestKernel, type TestKernel, type TestKernelOptions, type TestRequestOptions, type TestResponse } from './test-kernel.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
