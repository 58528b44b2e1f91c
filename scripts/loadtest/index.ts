// The load tester as a library, for the benchmark suite and other scripts: run a load, generate
// documents, summarise and draw records. main.ts is only the command line around these.
export { runLoad, validateOptions, LoadOptionsError, DEFAULT_DOCS, DEFAULT_DOC_KB, DEFAULT_POLL_MS, DEFAULT_TIMEOUT_MS } from './run.ts';
export { generateDocument, generatedProvider, directoryProvider, detectContentType, DocumentSourceError, type GenerateOptions } from './documents.ts';
export { percentile, summarize, summarizeLatencies, perSecondSeries, docsPerMinute } from './stats.ts';
export { formatReport, judge, type Gates, type Verdict } from './report.ts';
export { renderChart } from './chart.ts';
export { BOOMI_USER_AGENT } from './modes/boomi.ts';
export * from './types.ts';
