/** Image types a page shows from a stored file: what browsers render and the variants job reads; never SVG (it can run script). */
export const pageImageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'] as const;

/** The largest image a member may upload for a site (the console checks it; the API's own upload limit applies too). */
export const maxImageBytes = 10 * 1024 * 1024;
