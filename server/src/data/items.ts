/**
 * A catalogue item (信息项) as data queries, masking and the open outputs read it: the catalogue's
 * own `ResourceItem` (generated from catalog-schemas/), widened only where these modules take more
 * than the census form does — a mask may name a rule the authority added (`ODX_MASK_RULES`), and
 * bounds, code lists and checks are passed through as stored, whatever JSON type they have.
 */
import type { ResourceItem } from '../schemas/generated/resource.ts';

/** Item data types: 字符型C 数值型N 货币型Y 日期型D 日期时间型T 逻辑型L 备注型M 通用型G 双精度型B 整型I 浮点型F. */
export type ItemType = ResourceItem['type'];
export type Sensitivity = NonNullable<ResourceItem['sensitivity']>;

export interface ItemLike extends Omit<ResourceItem, 'check' | 'enum' | 'minimum' | 'maximum' | 'mask'> {
  /** Named identifier check: `uscc`, `id-card`, `region-code`, `mobile` (see CHECK_PATTERNS). */
  check?: ResourceItem['check'] | (string & {});
  enum?: Array<string | number | boolean>;
  minimum?: number | string;
  maximum?: number | string;
  /** Name of a mask rule (`MaskRules` key): mobile, id-card, name, drop, hash, or one the authority adds. */
  mask?: ResourceItem['mask'] | (string & {});
}
