import { categoryPathProblem, normalizeCategoryPath } from '../../core/taxonomy.ts';
import type { Attributes, AttributeValue, ItemRecord } from './catalog.store.ts';

/**
 * The rules for an item as clients send it (HTTP body, bulk request, import
 * line): checked field by field, every problem reported at once, each with the
 * path of the field. The HTTP schemas in catalog.routes.ts say the same in
 * JSON Schema; this module is the authority (the CLI import uses it without HTTP).
 */
export const MAX_ITEM_ID_LENGTH = 256;
export const MAX_TITLE_LENGTH = 500;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_TEXT = 1000;
export const MAX_ATTRIBUTE_LIST = 100;
export const ATTRIBUTE_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$';
export const CURRENCY_PATTERN = '^[A-Z]{3}$';
export const MAX_PRICE = 1e12;

const ATTRIBUTE_NAME_RE = new RegExp(ATTRIBUTE_NAME_PATTERN);
const CURRENCY_RE = new RegExp(CURRENCY_PATTERN);
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** An item ready to store, without its time. */
export type ItemFields = Omit<ItemRecord, 'updatedAt'>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const ITEM_FIELDS = new Set(['id', 'title', 'category', 'attributes', 'price', 'currency', 'available']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why an item id is not valid, or undefined. */
export function itemIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'must be a string';
  if (id.length === 0 || id.length > MAX_ITEM_ID_LENGTH) return `must have 1 to ${MAX_ITEM_ID_LENGTH} characters`;
  if (CONTROL_RE.test(id)) return 'must not contain control characters';
  if (id.trim() !== id) return 'must not start or end with spaces';
  return undefined;
}

function attributeValueProblem(v: unknown): string | undefined {
  if (typeof v === 'string')
    return v.length > MAX_ATTRIBUTE_TEXT ? `must have at most ${MAX_ATTRIBUTE_TEXT} characters` : undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'must be a finite number';
  if (typeof v === 'boolean') return undefined;
  if (Array.isArray(v)) {
    if (v.length > MAX_ATTRIBUTE_LIST) return `must have at most ${MAX_ATTRIBUTE_LIST} entries`;
    if (!v.every((x) => typeof x === 'string' && x.length <= 200))
      return 'a list must hold only texts of at most 200 characters';
    return undefined;
  }
  return 'must be a text, a number, true/false or a list of texts';
}

/**
 * Checks attributes; `allowNull` (PATCH) lets a null value mean "remove this attribute".
 */
function checkAttributes(
  raw: unknown,
  path: string,
  errors: FieldError[],
  allowNull: boolean,
): Record<string, AttributeValue | null> {
  if (!isObject(raw)) {
    errors.push({ path, message: 'must be an object of name → value' });
    return {};
  }
  const entries = Object.entries(raw);
  if (entries.length > MAX_ATTRIBUTES) errors.push({ path, message: `must have at most ${MAX_ATTRIBUTES} attributes` });
  const out: Record<string, AttributeValue | null> = {};
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME_RE.test(name)) {
      errors.push({
        path: `${path}.${name}`,
        message: 'an attribute name has 1 to 64 letters, digits, "_", "." or "-"',
      });
      continue;
    }
    if (value === null && allowNull) {
      out[name] = null;
      continue;
    }
    const problem = attributeValueProblem(value);
    if (problem) errors.push({ path: `${path}.${name}`, message: problem });
    else out[name] = value as AttributeValue;
  }
  return out;
}

function checkTitle(v: unknown, errors: FieldError[], at: string): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_TITLE_LENGTH) {
    errors.push({ path: `${at}title`, message: `must be a text of 1 to ${MAX_TITLE_LENGTH} characters` });
    return '';
  }
  return v;
}

function checkCategory(v: unknown, errors: FieldError[], at: string): string {
  if (typeof v !== 'string') {
    errors.push({ path: `${at}category`, message: 'must be a category path such as "clothing/outerwear/coats"' });
    return '';
  }
  const problem = categoryPathProblem(v);
  if (problem) {
    errors.push({ path: `${at}category`, message: problem });
    return '';
  }
  return normalizeCategoryPath(v);
}

function checkPrice(v: unknown, errors: FieldError[], at: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_PRICE) {
    errors.push({ path: `${at}price`, message: `must be a number from 0 to ${MAX_PRICE}, or null` });
    return null;
  }
  return v;
}

function checkCurrency(v: unknown, errors: FieldError[], at: string): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || !CURRENCY_RE.test(v)) {
    errors.push({ path: `${at}currency`, message: 'must be an ISO 4217 code in capitals, such as "EUR", or null' });
    return null;
  }
  return v;
}

function checkAvailable(v: unknown, errors: FieldError[], at: string): boolean {
  if (typeof v !== 'boolean') {
    errors.push({ path: `${at}available`, message: 'must be true or false' });
    return true;
  }
  return v;
}

function checkUnknown(raw: Record<string, unknown>, allowed: Set<string>, errors: FieldError[], at: string): void {
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k)) errors.push({ path: `${at}${k}`, message: `unknown field "${k}"; remove it` });
  }
}

function checkPricePair(price: number | null, currency: string | null, errors: FieldError[], at: string): void {
  if ((price === null) !== (currency === null)) {
    errors.push({
      path: `${at}${price === null ? 'price' : 'currency'}`,
      message: 'price and currency go together: give both or neither',
    });
  }
}

/**
 * Parses a whole item (PUT, bulk, import). `urlId`, when given, is the id from
 * the URL: the body may omit `id` or must repeat the same one. `at` prefixes
 * error paths (e.g. "items.3.").
 *
 * @example
 * parseItemInput({ id: 'sku-1', title: 'Coat', category: 'Clothing/Coats' });
 * // { ok: true, value: { id: 'sku-1', title: 'Coat', categoryPath: 'clothing/coats', attributes: {},
 * //   price: null, currency: null, available: true } }
 */
export function parseItemInput(raw: unknown, options: { urlId?: string; at?: string } = {}): Parsed<ItemFields> {
  const at = options.at ?? '';
  const errors: FieldError[] = [];
  if (!isObject(raw))
    return { ok: false, errors: [{ path: at.replace(/\.$/, '') || '(item)', message: 'must be a JSON object' }] };
  checkUnknown(raw, ITEM_FIELDS, errors, at);
  let id = options.urlId;
  if (raw.id !== undefined || id === undefined) {
    if (raw.id === undefined) errors.push({ path: `${at}id`, message: 'is required' });
    else {
      const problem = itemIdProblem(raw.id);
      if (problem) errors.push({ path: `${at}id`, message: problem });
      else if (options.urlId !== undefined && raw.id !== options.urlId) {
        errors.push({
          path: `${at}id`,
          message: `differs from the id in the URL ("${options.urlId}"); omit it or make them equal`,
        });
      } else id = raw.id as string;
    }
  }
  if (raw.title === undefined) errors.push({ path: `${at}title`, message: 'is required' });
  const title = raw.title === undefined ? '' : checkTitle(raw.title, errors, at);
  if (raw.category === undefined) errors.push({ path: `${at}category`, message: 'is required' });
  const categoryPath = raw.category === undefined ? '' : checkCategory(raw.category, errors, at);
  const attributes =
    raw.attributes === undefined
      ? {}
      : (checkAttributes(raw.attributes, `${at}attributes`, errors, false) as Attributes);
  const price = raw.price === undefined ? null : checkPrice(raw.price, errors, at);
  const currency = raw.currency === undefined ? null : checkCurrency(raw.currency, errors, at);
  if (errors.length === 0) checkPricePair(price, currency, errors, at);
  const available = raw.available === undefined ? true : checkAvailable(raw.available, errors, at);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { id: id as string, title, categoryPath, attributes, price, currency, available } };
}

/**
 * Applies a PATCH body to an item, JSON Merge Patch style (RFC 7396): the
 * fields given replace the stored ones; in `attributes`, a name given replaces
 * that attribute and a null removes it; `price: null` (with `currency: null`)
 * removes the price. `id` may be repeated but not changed.
 */
export function applyItemPatch(current: ItemFields, raw: unknown): Parsed<ItemFields> {
  const errors: FieldError[] = [];
  if (!isObject(raw)) return { ok: false, errors: [{ path: '(body)', message: 'must be a JSON object' }] };
  checkUnknown(raw, ITEM_FIELDS, errors, '');
  if (raw.id !== undefined && raw.id !== current.id) {
    errors.push({ path: 'id', message: `an item id cannot change; it is "${current.id}"` });
  }
  const next = { ...current };
  if (raw.title !== undefined) next.title = checkTitle(raw.title, errors, '');
  if (raw.category !== undefined) next.categoryPath = checkCategory(raw.category, errors, '');
  if (raw.attributes !== undefined) {
    const patch = checkAttributes(raw.attributes, 'attributes', errors, true);
    const merged: Attributes = { ...current.attributes };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    if (Object.keys(merged).length > MAX_ATTRIBUTES) {
      errors.push({ path: 'attributes', message: `an item has at most ${MAX_ATTRIBUTES} attributes` });
    }
    next.attributes = merged;
  }
  if (raw.price !== undefined) next.price = checkPrice(raw.price, errors, '');
  if (raw.currency !== undefined) next.currency = checkCurrency(raw.currency, errors, '');
  if (raw.available !== undefined) next.available = checkAvailable(raw.available, errors, '');
  if (errors.length === 0) checkPricePair(next.price, next.currency, errors, '');
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: next };
}
