import { DocumentError } from '../documents/errors.ts';
import type { Feature } from './types.ts';

/** The 422 a local engine answers for features only Amazon Textract has. */
export function featuresUnsupported(features: Feature[], engine: string): DocumentError {
  const what = features.length === 1 ? `The feature ${features[0]} needs` : `The features ${features.join(', ')} need`;
  return new DocumentError(
    'UNPROCESSABLE_DOCUMENT',
    `${what} Amazon Textract; the local ${engine} engine reads plain text only. ` +
      'Set TEXTRACT_ENDPOINT or AWS credentials to use Textract, or send the request without features.',
  );
}
