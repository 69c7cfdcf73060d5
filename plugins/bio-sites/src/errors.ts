import { defineErrors } from '@plinth/sdk';

/** The bio-sites plugin's own error codes; routes list the ones they answer in `errors`. */
export const bioSitesErrors = defineErrors('bio-sites', {
  too_many_blocks: { status: 409, description: 'The site already holds the most blocks a site may have' },
});
