import { defineErrors } from '@plinth/sdk';

/** The tus protocol's refusals, beside the file service's (`fileErrors`): each answered in the error envelope. */
export const uploadErrors = defineErrors('core', {
  upload_length_required: {
    status: 400,
    description: 'A resumable upload states its size when created: send `Upload-Length` (a deferred length is not accepted)',
  },
  upload_offset_mismatch: { status: 409, description: '`Upload-Offset` is not where the upload stands: `HEAD` it and resume from its offset' },
  upload_expired: { status: 410, description: 'The unfinished upload expired and its bytes were removed; start a new one' },
  tus_resumable_required: { status: 412, description: 'Send `Tus-Resumable: 1.0.0`, the version of the tus protocol this server speaks' },
});
