import type { SensitiveClass } from './sensitive.ts';

/**
 * Category paths and the default sensitive taxonomy.
 *
 * A category path names a node of a tenant's taxonomy, from the root down,
 * with `/` between segments: `clothing/outerwear/coats`. Paths are
 * identifiers, compared after normalization: each segment trimmed, inner
 * whitespace collapsed to one space, lower-cased. An item belongs to its path
 * and to every ancestor of it (`clothing/outerwear`, `clothing`).
 *
 * @example
 * normalizeCategoryPath(' Clothing / Outerwear/Coats '); // 'clothing/outerwear/coats'
 * categoryAncestors('clothing/outerwear/coats');         // ['clothing/outerwear/coats', 'clothing/outerwear', 'clothing']
 */
export const MAX_CATEGORY_PATH_LENGTH = 500;
export const MAX_CATEGORY_DEPTH = 12;
export const MAX_CATEGORY_SEGMENT_LENGTH = 100;

/** Why a category path is not valid, or undefined when it is (before normalization). */
export function categoryPathProblem(path: string): string | undefined {
  if (path.length > MAX_CATEGORY_PATH_LENGTH) return `is longer than ${MAX_CATEGORY_PATH_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character';
  const segments = path.split('/');
  if (segments.length > MAX_CATEGORY_DEPTH) return `is deeper than ${MAX_CATEGORY_DEPTH} levels`;
  for (const s of segments) {
    const t = s.trim();
    if (t === '') return 'has an empty segment (use "a/b/c": no leading, trailing or double "/")';
    if (t.length > MAX_CATEGORY_SEGMENT_LENGTH)
      return `has a segment longer than ${MAX_CATEGORY_SEGMENT_LENGTH} characters`;
  }
  return undefined;
}

/**
 * The canonical form of a valid category path (see {@link categoryPathProblem}).
 *
 * @example
 * normalizeCategoryPath('Health/ Vitamins  & Minerals'); // 'health/vitamins & minerals'
 */
export function normalizeCategoryPath(path: string): string {
  return path
    .split('/')
    .map((s) => s.trim().replace(/\s+/g, ' ').toLowerCase())
    .join('/');
}

/**
 * The path itself, then each ancestor up to the root, nearest first.
 *
 * @example
 * categoryAncestors('a/b/c'); // ['a/b/c', 'a/b', 'a']
 */
export function categoryAncestors(path: string): string[] {
  const out: string[] = [];
  let p = path;
  for (;;) {
    out.push(p);
    const cut = p.lastIndexOf('/');
    if (cut < 0) return out;
    p = p.slice(0, cut);
  }
}

/**
 * The sensitive class of a path: that of its nearest tagged ancestor (itself
 * included), or null when no ancestor is tagged.
 *
 * @example
 * const tags = new Map([['health', 'health'], ['health/pregnancy-tests', 'pregnancy_baby']]);
 * nearestSensitiveClass('health/pregnancy-tests/digital', tags); // 'pregnancy_baby'
 * nearestSensitiveClass('health/vitamins', tags);                // 'health'
 * nearestSensitiveClass('garden', tags);                         // null
 */
export function nearestSensitiveClass(path: string, tags: ReadonlyMap<string, SensitiveClass>): SensitiveClass | null {
  if (tags.size === 0) return null;
  for (const p of categoryAncestors(path)) {
    const c = tags.get(p);
    if (c !== undefined) return c;
  }
  return null;
}

/** One entry of the default taxonomy. */
export interface DefaultCategory {
  readonly path: string;
  readonly name: string;
  readonly sensitiveClass: SensitiveClass;
}

const d = (path: string, name: string, sensitiveClass: SensitiveClass): DefaultCategory => ({
  path,
  name,
  sensitiveClass,
});

/**
 * The default sensitive taxonomy: common category paths of shops mapped to
 * the sensitive classes. It is applied to every tenant on its first catalog
 * write (and again, adding only what is missing, by POST /v1/taxonomy/defaults);
 * a tenant adapts it to its own paths by tagging its categories. More
 * specific entries win over their ancestors (`health/pregnancy-tests` is
 * pregnancy, not health). Documented in docs/reference/sensitive-categories.md,
 * which must list the same entries.
 */
export const DEFAULT_SENSITIVE_TAXONOMY: readonly DefaultCategory[] = [
  // Health and medical
  d('health', 'Health', 'health'),
  d('health-care', 'Health care', 'health'),
  d('healthcare', 'Health care', 'health'),
  d('pharmacy', 'Pharmacy', 'health'),
  d('medical', 'Medical', 'health'),
  d('medicines', 'Medicines', 'health'),
  d('medical-devices', 'Medical devices', 'health'),
  d('personal-care/incontinence', 'Incontinence', 'health'),
  d('beauty/health', 'Health', 'health'),
  // Pregnancy and baby
  d('pregnancy', 'Pregnancy', 'pregnancy_baby'),
  d('maternity', 'Maternity', 'pregnancy_baby'),
  d('baby', 'Baby', 'pregnancy_baby'),
  d('baby-care', 'Baby care', 'pregnancy_baby'),
  d('clothing/maternity', 'Maternity clothing', 'pregnancy_baby'),
  d('clothing/baby', 'Baby clothing', 'pregnancy_baby'),
  d('health/pregnancy-tests', 'Pregnancy tests', 'pregnancy_baby'),
  d('health/fertility', 'Fertility', 'pregnancy_baby'),
  d('health/prenatal', 'Prenatal care', 'pregnancy_baby'),
  // Sexual life and orientation
  d('sexual-wellness', 'Sexual wellness', 'sexual_life'),
  d('sexual-health', 'Sexual health', 'sexual_life'),
  d('adult', 'Adult', 'sexual_life'),
  d('health/contraception', 'Contraception', 'sexual_life'),
  d('health/sexual-health', 'Sexual health', 'sexual_life'),
  d('lgbtq', 'LGBTQ+', 'sexual_life'),
  d('pride', 'Pride', 'sexual_life'),
  // Religion and beliefs
  d('religion', 'Religion', 'religion'),
  d('religious-items', 'Religious items', 'religion'),
  d('faith', 'Faith', 'religion'),
  d('books/religion', 'Religion books', 'religion'),
  d('books/spirituality', 'Spirituality books', 'religion'),
  // Political opinions
  d('politics', 'Politics', 'political'),
  d('political-merchandise', 'Political merchandise', 'political'),
  d('books/politics', 'Politics books', 'political'),
  // Racial or ethnic origin
  d('ethnic', 'Ethnic products', 'ethnic_origin'),
  d('beauty/ethnic-hair-care', 'Ethnic hair care', 'ethnic_origin'),
  d('beauty/ethnic-skin-care', 'Ethnic skin care', 'ethnic_origin'),
  // Finance and credit
  d('finance', 'Finance', 'finance_credit'),
  d('financial-services', 'Financial services', 'finance_credit'),
  d('credit', 'Credit', 'finance_credit'),
  d('loans', 'Loans', 'finance_credit'),
  d('insurance', 'Insurance', 'finance_credit'),
  d('debt', 'Debt', 'finance_credit'),
  // Products for children
  d('children', 'Children', 'children'),
  d('kids', 'Kids', 'children'),
  d('toys', 'Toys', 'children'),
  d('clothing/kids', 'Kids clothing', 'children'),
  d('clothing/children', 'Children clothing', 'children'),
  d('books/children', 'Children books', 'children'),
  d('shoes/kids', 'Kids shoes', 'children'),
];

/** The default taxonomy as tags (path → class), for {@link nearestSensitiveClass}. */
export const DEFAULT_SENSITIVE_TAGS: ReadonlyMap<string, SensitiveClass> = new Map(
  DEFAULT_SENSITIVE_TAXONOMY.map((c) => [c.path, c.sensitiveClass]),
);
