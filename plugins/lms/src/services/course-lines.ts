import type { PaidOrderLine } from '@plinth/plugin-shop';
import type { TenantDb } from '@plinth/sdk';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A course an order line sells. */
export interface SoldCourse {
  id: string;
  title: string;
  /** The course's organisation unit. */
  unitId: string | null;
  /** The first line selling it. */
  lineId: string;
}

/**
 * The courses an order's lines sell, oldest course first, each once: a line sells a course when its product is the
 * course's `shop_product_id`, or its metadata names `lms_course_id`.
 */
export async function coursesSold(db: TenantDb, lines: readonly PaidOrderLine[]): Promise<SoldCourse[]> {
  const productIds = [...new Set(lines.map((line) => line.productId).filter((id) => uuidPattern.test(id)))];
  const named = [...new Set(lines.map((line) => line.metadata?.lms_course_id).filter((id): id is string => typeof id === 'string' && uuidPattern.test(id)))];
  if (!productIds.length && !named.length) return [];
  const courses = await db.query<{ id: string; title: string; shop_product_id: string | null; unit_id: string | null }>(
    'select id, title, shop_product_id, unit_id from lms_courses where shop_product_id = any($1::uuid[]) or id = any($2::uuid[]) order by created_at, id',
    [productIds, named],
  );
  return courses.map((course) => {
    const line = lines.find((candidate) => candidate.productId === course.shop_product_id || candidate.metadata?.lms_course_id === course.id);
    return { id: course.id, title: course.title, unitId: course.unit_id, lineId: line!.lineId };
  });
}
