import Type from 'typebox';
import { defineFunction } from '../runtime/define.ts';
import { docsAsset } from '../runtime/docs-ui.ts';
import { httpError } from '../runtime/errors.ts';
import { staticFileReply } from '../runtime/static-files.ts';

const DocsAssetParams = Type.Object({ file: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
// Extra query parameters are ignored, as any static file server would.
const DocsAssetQuery = Type.Object({ v: Type.Optional(Type.String({ maxLength: 64, description: 'The content hash the page links to.' })) });

export default defineFunction({
  name: 'docsAsset',
  method: 'GET',
  path: '/docs/:file',
  summary: "The files of the docs page: Swagger UI's script and styles (from swagger-ui-dist) and the page's own.",
  schema: {
    params: DocsAssetParams,
    query: DocsAssetQuery,
    response: Type.String({ contentMediaType: 'application/octet-stream', description: 'The file: text/css, text/javascript or image/png.' }),
  },
  // Public like the page: these bytes are the same for every deployment.
  options: { auth: false, queueable: false },
  async handler(event) {
    const asset = await docsAsset(event.params.file);
    if (!asset) throw httpError('NOT_FOUND', 'No such file on the docs page.');
    return staticFileReply(asset, event.query, event.headers);
  },
});
