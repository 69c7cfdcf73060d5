import { defineMigration } from '@plinth/sdk';

/**
 * A site's avatar may be a stored file (core's `files`, attached to the site) rather than an external URL. No
 * foreign key: the file row is core's, and a purge removes the files and the sites in the same transaction.
 */
export const addBioSitesAvatarFile = defineMigration({
  name: '004-add-bio-sites-avatar-file',
  async up({ db }) {
    await db.raw('alter table bio_sites_sites add column avatar_file_id uuid');
  },
  async down({ db }) {
    await db.raw('alter table bio_sites_sites drop column avatar_file_id');
  },
});
