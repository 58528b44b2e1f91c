import Type from 'typebox';
import { dashboardAsset } from '../runtime/dashboard-ui.ts';
import { defineFunction } from '../runtime/define.ts';
import { httpError } from '../runtime/errors.ts';
import { staticFileReply } from '../runtime/static-files.ts';

const Params = Type.Object({ file: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const Query = Type.Object({ v: Type.Optional(Type.String({ maxLength: 64, description: 'The content hash the page links to.' })) });

export default defineFunction({
  name: 'dashboardAsset',
  method: 'GET',
  path: '/dashboard/:file',
  summary: "The files of the dashboard page: its scripts and styles.",
  schema: {
    params: Params,
    query: Query,
    response: Type.String({ contentMediaType: 'application/octet-stream', description: 'The file: text/css or text/javascript.' }),
  },
  // Public like the page: these bytes are the same for every deployment.
  options: { auth: false, queueable: false },
  async handler(event) {
    const asset = await dashboardAsset(event.params.file);
    if (!asset) throw httpError('NOT_FOUND', `No file ${event.params.file} on the dashboard page.`);
    return staticFileReply(asset, event.query, event.headers);
  },
});
