export { default } from '../../vitest.plugin.config.js';
