import { pagePath, type PluginMembers, type PluginNotify, type TenantDb, type TenantMember } from '@plinth/sdk';

/** An event learners and their guardians hear of: the learner gets template `lms.<event>`, a guardian `lms.learner-<event>`. */
export type NoticeEvent = 'enrolled' | 'quiz-graded' | 'certificate-issued' | 'lessons-unlocked';

/** Where a notice leads: a path of the tenant's pages for customers, of the LMS's console pages for staff (none: no link). */
export interface NoticeLink {
  page?: string;
  console?: string;
}

/** One event to tell a learner and their guardians of. */
export interface LearnerNotice {
  learnerId: string;
  event: NoticeEvent;
  /** The templates' placeholders; `learner` (the learner's name) is added. */
  data: Readonly<Record<string, string | number>>;
  /** Unique per event (`enrolled:<enrolment id>`): each person hears of it once, however often this runs. */
  key: string;
  /** Where the learner is led; guardians on staff go to the learners they follow, customers to `guardianPage` (if any). */
  links: { learner: NoticeLink; guardianPage?: string };
}

/** The LMS console page where staff guardians follow their learners. */
const guardianConsole = '/my/learners';

interface NoticeDeps {
  db: TenantDb;
  members: PluginMembers;
  notify: PluginNotify;
}

function linkFor(person: TenantMember, tenantSlug: string, link: NoticeLink): string | undefined {
  if (person.kind === 'staff') return link.console;
  return link.page === undefined ? undefined : pagePath(tenantSlug, link.page);
}

/**
 * Notifies a learner and each of their guardians of one event, one notification per person (so each is led to the
 * pages they can open, and hears of it once: the key is the event's key and the person). A learner who left the
 * tenant is told nothing, nor are their guardians.
 */
export async function notifyLearner(deps: NoticeDeps, tenantSlug: string, notice: LearnerNotice): Promise<void> {
  const learner = await deps.members.get(notice.learnerId);
  if (!learner) return;
  const data = { ...notice.data, learner: learner.name || learner.email };
  const guardianLinks = await deps.db.query<{ guardian_user_id: string }>(
    'select guardian_user_id from lms_guardians where learner_user_id = $1 order by created_at, id',
    [learner.userId],
  );
  const guardians = await Promise.all(guardianLinks.map((row) => deps.members.get(row.guardian_user_id)));
  const readers = [
    { person: learner, template: `lms.${notice.event}`, link: notice.links.learner },
    ...guardians.flatMap((person) =>
      person ? [{ person, template: `lms.learner-${notice.event}`, link: { console: guardianConsole, page: notice.links.guardianPage } }] : [],
    ),
  ];
  for (const { person, template, link } of readers) {
    const href = linkFor(person, tenantSlug, link);
    await deps.notify.send({
      to: { userId: person.userId },
      template,
      data,
      ...(href === undefined ? {} : { link: href }),
      key: `${notice.key}:${person.userId}`,
    });
  }
}
