import { Type } from 'typebox';
import { SENSITIVE_CLASSES } from '../../core/sensitive.ts';
import { MAX_CATEGORY_PATH_LENGTH } from '../../core/taxonomy.ts';
import type { App } from '../../platform/http.ts';
import { problemResponses } from '../../platform/http.ts';
import type { CatalogService, Category, Item } from './catalog.service.ts';
import { DEFAULT_PAGE_SIZE, MAX_BULK_ITEMS, MAX_PAGE_SIZE } from './catalog.service.ts';
import {
  ATTRIBUTE_NAME_PATTERN,
  CURRENCY_PATTERN,
  MAX_ATTRIBUTE_LIST,
  MAX_ATTRIBUTE_TEXT,
  MAX_ATTRIBUTES,
  MAX_ITEM_ID_LENGTH,
  MAX_PRICE,
  MAX_TITLE_LENGTH,
} from './item-input.ts';

// The HTTP contract of the catalog. Bodies are checked here by JSON Schema and
// again, with the same rules, by the service (item-input.ts), which is the
// authority: the CLI import reaches it without HTTP.

const SensitiveClassSchema = Type.Enum([...SENSITIVE_CLASSES], {
  description: 'A sensitive class (docs/reference/sensitive-categories.md).',
});
const AttributeValue = Type.Union([
  Type.String({ maxLength: MAX_ATTRIBUTE_TEXT }),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String({ maxLength: 200 }), { maxItems: MAX_ATTRIBUTE_LIST }),
]);
const ItemId = Type.String({ minLength: 1, maxLength: MAX_ITEM_ID_LENGTH });
const CategoryPath = Type.String({
  minLength: 1,
  maxLength: MAX_CATEGORY_PATH_LENGTH,
  description: 'Category path from the root, "/" between levels, e.g. "clothing/outerwear/coats" (case-insensitive).',
});
const Price = Type.Union([Type.Number({ minimum: 0, maximum: MAX_PRICE }), Type.Null()], {
  description: 'Price in `currency`; give both or neither.',
});
const Currency = Type.Union([Type.String({ pattern: CURRENCY_PATTERN }), Type.Null()], {
  description: 'ISO 4217 code, e.g. "EUR".',
});

const itemFields = {
  title: Type.String({ minLength: 1, maxLength: MAX_TITLE_LENGTH }),
  category: CategoryPath,
  attributes: Type.Record(Type.String({ pattern: ATTRIBUTE_NAME_PATTERN }), AttributeValue, {
    maxProperties: MAX_ATTRIBUTES,
    additionalProperties: false,
    description: 'Attributes such as brand, colour, size: text, number, true/false or a list of texts.',
  }),
  price: Price,
  currency: Currency,
  available: Type.Boolean({ description: 'Whether the item can be bought now (default true).' }),
};

const ItemBody = Type.Object(
  {
    id: Type.Optional(ItemId),
    title: itemFields.title,
    category: itemFields.category,
    attributes: Type.Optional(itemFields.attributes),
    price: Type.Optional(Price),
    currency: Type.Optional(Currency),
    available: Type.Optional(itemFields.available),
  },
  { additionalProperties: false },
);

const ItemPatch = Type.Object(
  {
    id: Type.Optional(ItemId),
    title: Type.Optional(itemFields.title),
    category: Type.Optional(itemFields.category),
    attributes: Type.Optional(
      Type.Record(Type.String({ pattern: ATTRIBUTE_NAME_PATTERN }), Type.Union([AttributeValue, Type.Null()]), {
        additionalProperties: false,
        description: 'Attributes to set; null removes one. Attributes not named are kept.',
      }),
    ),
    price: Type.Optional(Price),
    currency: Type.Optional(Currency),
    available: Type.Optional(itemFields.available),
  },
  { additionalProperties: false, description: 'JSON Merge Patch (RFC 7396): only the fields given change.' },
);

const ItemOut = Type.Object({
  id: Type.String(),
  title: Type.String(),
  category: Type.String(),
  attributes: Type.Record(Type.String(), AttributeValue),
  price: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  available: Type.Boolean(),
  sensitiveClass: Type.Union([SensitiveClassSchema, Type.Null()], {
    description: 'Inherited from the nearest tagged category of the item’s path; null when none.',
  }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const CategoryOut = Type.Object({
  path: Type.String(),
  name: Type.String(),
  sensitiveClass: Type.Union([SensitiveClassSchema, Type.Null()], { description: 'The tag of this category.' }),
  effectiveSensitiveClass: Type.Union([SensitiveClassSchema, Type.Null()], {
    description: 'Its tag or, when untagged, that of its nearest tagged ancestor: what its items get.',
  }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const ItemParams = Type.Object({ itemId: ItemId });
const CategoryParams = Type.Object({ '*': CategoryPath });
const notFound = { 404: Type.Ref('Problem') } as const;

const itemOut = (i: Item) => ({
  id: i.id,
  title: i.title,
  category: i.categoryPath,
  attributes: i.attributes,
  price: i.price,
  currency: i.currency,
  available: i.available,
  sensitiveClass: i.sensitiveClass,
  updatedAt: new Date(i.updatedAt).toISOString(),
});

const categoryOut = (c: Category) => ({
  path: c.path,
  name: c.name,
  sensitiveClass: c.sensitiveClass,
  effectiveSensitiveClass: c.effectiveSensitiveClass,
  updatedAt: new Date(c.updatedAt).toISOString(),
});

/** Items, categories and the default sensitive taxonomy. Writes need a server key; reads a publishable one. */
export function catalogRoutes(app: App, catalog: CatalogService): void {
  // PATCH bodies may be sent as JSON Merge Patch documents.
  if (!app.hasContentTypeParser('application/merge-patch+json')) {
    app.addContentTypeParser(
      'application/merge-patch+json',
      { parseAs: 'string' },
      app.getDefaultJsonParser('error', 'error'),
    );
  }

  app.put(
    '/v1/items/:itemId',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: 'Create or replace an item',
        params: ItemParams,
        body: ItemBody,
        response: { 200: ItemOut, 201: ItemOut, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { item, created } = await catalog.putItem(request.auth.tenantId, request.params.itemId, request.body);
      return reply.status(created ? 201 : 200).send(itemOut(item));
    },
  );

  app.patch(
    '/v1/items/:itemId',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: 'Change some fields of an item (merge patch)',
        params: ItemParams,
        body: ItemPatch,
        response: { 200: ItemOut, ...notFound, ...problemResponses },
      },
    },
    async (request) => itemOut(await catalog.patchItem(request.auth.tenantId, request.params.itemId, request.body)),
  );

  app.get(
    '/v1/items/:itemId',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['catalog'],
        summary: 'Get an item',
        params: ItemParams,
        response: { 200: ItemOut, ...notFound, ...problemResponses },
      },
    },
    async (request) => itemOut(await catalog.getItem(request.auth.tenantId, request.params.itemId)),
  );

  app.delete(
    '/v1/items/:itemId',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: 'Delete an item',
        params: ItemParams,
        response: { 204: Type.Null(), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      await catalog.deleteItem(request.auth.tenantId, request.params.itemId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/items',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['catalog'],
        summary: 'List items in id order, a page at a time, optionally under a category',
        querystring: Type.Object(
          {
            category: Type.Optional(CategoryPath),
            cursor: Type.Optional(Type.String({ maxLength: 400, description: 'nextCursor of the previous page.' })),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `Default ${DEFAULT_PAGE_SIZE}.` }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(ItemOut), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const page = await catalog.listItems(request.auth.tenantId, request.query);
      return { items: page.items.map(itemOut), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/items/bulk',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: `Create or replace up to ${MAX_BULK_ITEMS} items, all or nothing`,
        description:
          'Each item is as in PUT /v1/items/{itemId}, with its `id`. When any item is invalid, nothing is written and the 422 `invalid_items` problem lists every rejected item in details.rejected.',
        body: Type.Object(
          { items: Type.Array(Type.Unknown(), { minItems: 1, description: 'Items, each with its id.' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
          413: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
          ...problemResponses,
        },
      },
    },
    async (request) => catalog.bulkUpsert(request.auth.tenantId, request.body.items),
  );

  app.get(
    '/v1/categories',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['catalog'],
        summary: "The tenant's category taxonomy with its sensitivity tags",
        response: { 200: Type.Object({ categories: Type.Array(CategoryOut) }), ...problemResponses },
      },
    },
    async (request) => ({ categories: (await catalog.listCategories(request.auth.tenantId)).map(categoryOut) }),
  );

  app.get(
    '/v1/categories/*',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['catalog'],
        summary: 'Get a category by path',
        params: CategoryParams,
        response: { 200: CategoryOut, ...notFound, ...problemResponses },
      },
    },
    async (request) => categoryOut(await catalog.getCategory(request.auth.tenantId, request.params['*'])),
  );

  app.put(
    '/v1/categories/*',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: 'Create or replace a category; its sensitivity tag applies to every item under it',
        params: CategoryParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            sensitiveClass: Type.Union([SensitiveClassSchema, Type.Null()], {
              description: 'The class of this category and of everything under it, or null for none.',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: CategoryOut, 201: CategoryOut, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { category, created } = await catalog.putCategory(request.auth.tenantId, request.params['*'], request.body);
      return reply.status(created ? 201 : 200).send(categoryOut(category));
    },
  );

  app.delete(
    '/v1/categories/*',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: 'Delete a category (its items keep their path and inherit from its ancestors)',
        params: CategoryParams,
        response: { 204: Type.Null(), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      await catalog.deleteCategory(request.auth.tenantId, request.params['*']);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/taxonomy/defaults',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['catalog'],
        summary: 'Add the default sensitive categories the tenant does not have yet',
        description:
          'Applied automatically on the first catalog write; call it again to restore default categories that were deleted. Existing categories are left as they are.',
        response: { 200: Type.Object({ added: Type.Array(Type.String()) }), ...problemResponses },
      },
    },
    async (request) => catalog.applyDefaultTaxonomy(request.auth.tenantId),
  );
}
