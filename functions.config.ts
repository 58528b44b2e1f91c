// The route table: which function answers which method and path. Each function's file in
// functions/ holds its handler and schemas. `POST /invoke/:function` reaches any of them by name.
import getDocument from './functions/get-document.ts';
import health from './functions/health.ts';
import ocr from './functions/ocr.ts';
import type { RouteConfig } from './runtime/routes.ts';

export const routes: RouteConfig[] = [
  { function: health }, //                                         GET  /health
  { function: ocr }, //                                            POST /ocr
  { function: getDocument }, //                                    GET  /documents/:documentId
];
