import { notFound, text } from '../http/errors.ts';
import { route } from '../http/route.ts';
import { bundledSchemaOf, DOCUMENT_KINDS, type DocumentKind } from './catalog.ts';
import { JsonSchemaDocument, SchemaParams } from './schema.ts';

const isKind = (name: string): name is DocumentKind => (DOCUMENT_KINDS as readonly string[]).includes(name);

export const schemaRoutes = [
  route({
    method: 'get',
    path: '/api/v1/schemas/:name',
    operationId: 'getCatalogSchema',
    summary: 'The JSON Schema a census document is validated with (catalog-schemas/), self-contained, for forms and clients',
    tags: ['schemas'],
    access: 'public',
    params: SchemaParams,
    response: JsonSchemaDocument,
    handler: async ({ params }) => {
      if (!isKind(params.name)) throw notFound(text(`模式 ${params.name}（现有：${DOCUMENT_KINDS.join('、')}）`, `schema ${params.name} (there are: ${DOCUMENT_KINDS.join(', ')})`));
      return { body: bundledSchemaOf(params.name) };
    },
  }),
];
