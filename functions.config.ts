// The route table: which function answers which method and path. Each function's file in
// functions/ holds its handler and schemas. `POST /invoke/:function` reaches any of them by name
// (add `x-invocation-type: Event` to queue it), and `GET /ws` pushes job state changes.
import dashboard from './functions/dashboard.ts';
import dashboardAsset from './functions/dashboard-asset.ts';
import dashboardData from './functions/dashboard-data.ts';
import expense from './functions/expense.ts';
import docs from './functions/docs.ts';
import docsAsset from './functions/docs-asset.ts';
import getDocument from './functions/get-document.ts';
import getDocumentPdf from './functions/get-document-pdf.ts';
import getJob from './functions/get-job.ts';
import health from './functions/health.ts';
import home from './functions/home.ts';
import identity from './functions/identity.ts';
import metrics from './functions/metrics.ts';
import ocr from './functions/ocr.ts';
import openapi from './functions/openapi.ts';
import queueStats from './functions/queue-stats.ts';
import type { RouteConfig } from './runtime/routes.ts';

export const routes: RouteConfig[] = [
  { function: health }, //                                        GET  /health
  { function: ocr }, //                                           POST /ocr
  { function: ocr, path: '/ocr/async', invocation: 'event' }, //  POST /ocr/async  (202 Job)
  { function: expense }, //                                       POST /expense
  { function: expense, path: '/expense/async', invocation: 'event' }, // POST /expense/async
  { function: identity }, //                                      POST /identity
  { function: identity, path: '/identity/async', invocation: 'event' }, // POST /identity/async
  { function: getJob }, //                                        GET  /ocr/jobs/:jobId
  { function: getDocument }, //                                   GET  /documents/:documentId
  { function: getDocumentPdf }, //                                GET  /documents/:documentId/pdf
  { function: queueStats }, //                                    GET  /queue/stats
  { function: metrics }, //                                       GET  /metrics  (Prometheus)
  { function: openapi }, //                                       GET  /openapi.json
  { function: docs }, //                                          GET  /docs  (Swagger UI)
  { function: docsAsset }, //                                     GET  /docs/:file
  { function: home }, //                                          GET  /  (302 to /dashboard)
  { function: dashboard }, //                                     GET  /dashboard  (live page)
  { function: dashboardData }, //                                 GET  /dashboard/data  (before :file)
  { function: dashboardAsset }, //                                GET  /dashboard/:file
];
