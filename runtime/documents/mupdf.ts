// mupdf is loaded on first use only: its WASM heap costs tens of MB per process, and most
// documents (unencrypted, intact PDFs and images sent to Textract) never need it.

type Mupdf = typeof import('mupdf');

let loading: Promise<Mupdf> | undefined;

export function loadMupdf(): Promise<Mupdf> {
  loading ??= import('mupdf').then((mupdf) => {
    // mupdf narrates repairs and damage on stderr; failures reach us as exceptions instead.
    mupdf.setLog(null);
    return mupdf;
  });
  return loading;
}
