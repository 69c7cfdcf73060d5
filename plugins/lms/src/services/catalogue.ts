import { likePattern, listPage, type ListPage, type PageQuery, type PluginMembers, type TenantDb } from '@plinth/sdk';
import type { ShopOffer, ShopOffersApi } from '@plinth/plugin-shop';
import { courseOffers } from './offers.js';
import { type Outline, outlineColumn, visibleOutline } from './outline.js';

/** A published course as anyone may see it: no drafts, no lesson content, no learner data. */
export interface CatalogueCourse {
  id: string;
  slug: string;
  title: string;
  description: string;
  level: string;
  category: string | null;
  /** Not sold in the shop: signed-in users enrol themselves. */
  free: boolean;
  instructors: { name: string }[];
  lesson_count: number;
  /** From the shop's offer of the course's product: lowest variant price (minor units), its currency, the buy page. */
  price: number | null;
  currency: string | null;
  buy_url: string | null;
  published_at: Date | null;
}

/** A module of a published course: its title and its published lessons' titles. */
export interface CatalogueModule {
  title: string;
  lessons: { title: string; free_preview: boolean; duration_seconds: number | null }[];
}

interface CatalogueRow {
  id: string;
  slug: string;
  title: string;
  description: string;
  level: string;
  category: string | null;
  shop_product_id: string | null;
  instructor_ids: string[];
  lesson_count: number;
  published_at: Date | null;
}

const columns = `c.id, c.slug, c.title, c.description, c.level, c.category, c.shop_product_id, c.instructor_ids, c.published_at,
  (select count(*)::int from lms_lessons l where l.course_id = c.id and l.status = 'published') as lesson_count`;

interface CatalogueDeps {
  db: TenantDb;
  members: PluginMembers;
  shop: ShopOffersApi | undefined;
}

/** The courses as the catalogue shows them: instructors' names and the shop's offer added. */
async function present(deps: CatalogueDeps, rows: CatalogueRow[]): Promise<CatalogueCourse[]> {
  const offers = await courseOffers(
    deps.shop,
    rows.map((row) => row.shop_product_id),
  );
  const instructorIds = [...new Set(rows.flatMap((row) => row.instructor_ids))];
  const names = new Map<string, string>();
  for (const id of instructorIds) {
    const member = await deps.members.get(id);
    if (member?.name) names.set(id, member.name);
  }
  return rows.map(({ shop_product_id: productId, instructor_ids: instructors, ...row }) => {
    const offer: ShopOffer | undefined = productId ? offers.get(productId) : undefined;
    return {
      ...row,
      free: productId === null,
      instructors: instructors.flatMap((id) => (names.has(id) ? [{ name: names.get(id)! }] : [])),
      price: offer?.price ?? null,
      currency: offer?.currency ?? null,
      buy_url: offer?.buyPath ?? null,
    };
  });
}

/** A page of published courses, newest first; `q` matches the title or the category. */
export async function catalogue(deps: CatalogueDeps, query: PageQuery & { q?: string }): Promise<ListPage<CatalogueCourse>> {
  const values: unknown[] = [];
  const where = ["c.status = 'published'"];
  if (query.q) where.push(`(c.title ilike $${values.push(likePattern(query.q))} or c.category ilike $${values.length})`);
  const { items, total } = await listPage<CatalogueRow>(
    deps.db,
    { select: columns, from: 'lms_courses c', where, orderBy: 'c.published_at desc nulls last, c.id', values },
    query,
  );
  return { items: await present(deps, items), total };
}

/** One published course by its slug, with its outline (modules and published lessons' titles); undefined if none. */
export async function catalogueCourse(deps: CatalogueDeps, slug: string): Promise<(CatalogueCourse & { modules: CatalogueModule[] }) | undefined> {
  const row = await deps.db.one<CatalogueRow & { modules: Outline }>(
    `select ${columns}, ${outlineColumn} from lms_courses c where c.slug = $1 and c.status = 'published'`,
    [slug],
  );
  if (!row) return undefined;
  const { modules: outline, ...course } = row;
  const modules = visibleOutline(outline, false).map(({ title, lessons }) => ({
    title,
    lessons: lessons.map(({ title, free_preview, duration_seconds }) => ({ title, free_preview, duration_seconds })),
  }));
  const [presented] = await present(deps, [course]);
  return { ...presented!, modules };
}
