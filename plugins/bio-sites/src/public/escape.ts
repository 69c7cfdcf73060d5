/** Bio pages share the SDK's HTML builder (one escaping rule for every page the platform serves). */
export { escapeHtml, html, SafeHtml } from '@plinth/sdk';
