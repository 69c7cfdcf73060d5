/** The file service's error codes: the SDK's catalogue, so that plugins storing files list the same entries. */
export { fileErrors } from '@plinth/sdk';
