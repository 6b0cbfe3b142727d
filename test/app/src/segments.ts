/** Type-checked only (not in the bundle): the segments entry point's tag has segments() for sure. */
import { createTag, type Segment } from 'edgetag/tag/segments';

export async function vip(): Promise<boolean> {
  const tag = createTag({ writeKey: 'k', collector: '/' });
  const list: Segment[] = await tag.segments();
  return list.length > 0 && (await tag.inSegment('VIP customers'));
}
