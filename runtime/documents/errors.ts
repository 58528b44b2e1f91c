// Documents are rejected with their own error type so this layer stays free of HTTP concerns;
// the runtime maps `status` and `code` onto its HttpError.

export type DocumentErrorCode = 'UNSUPPORTED_MEDIA_TYPE' | 'UNPROCESSABLE_DOCUMENT' | 'PAYLOAD_TOO_LARGE';

const STATUS: Record<DocumentErrorCode, 415 | 422 | 413> = {
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_DOCUMENT: 422,
  PAYLOAD_TOO_LARGE: 413,
};

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  readonly code: DocumentErrorCode;
  readonly status: 415 | 422 | 413;

  /** `message` is shown to the client: it MUST say why, and never echo document content. */
  constructor(code: DocumentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = STATUS[code];
  }
}

export function unprocessable(message: string, cause?: unknown): DocumentError {
  return new DocumentError('UNPROCESSABLE_DOCUMENT', message, cause === undefined ? undefined : { cause });
}
