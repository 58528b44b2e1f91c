// Fixed ("set") quotas of Amazon Textract that a page must meet, from the Amazon Textract
// Developer Guide, "Set Quotas in Amazon Textract"
// (https://docs.aws.amazon.com/textract/latest/dg/limits-document.html):
//   - "PDF Specific Limits: The maximum height and width is 40 inches and 9000 points."
//     Older editions of the same page say "40 inches or 2880 points"; 40 in is 2880 pt, so the
//     9000 contradicts the inches and we enforce the figure both editions agree on.
//   - "Amazon Textract supports images with a resolution less than or equal to 10000 pixels
//     on all sides."
//   - "Character Size: The minimum height for text to be detected is 15 pixels. At 150 DPI,
//     this would be the same as 8 point font."
//   - Synchronous operations: 10 MB per document, PDF and TIFF of 1 page.
// Textract states no minimum page size; we derive one from the minimum text height: a page
// shorter or narrower than one line of detectable text cannot hold anything to read.

export const MAX_PDF_PAGE_POINTS = 40 * 72;
export const MAX_IMAGE_PIXELS_PER_SIDE = 10_000;
export const MIN_TEXT_HEIGHT_PIXELS = 15;
/** 15 px at 150 DPI, the resolution Textract's own figure is given at. */
export const MIN_PDF_PAGE_POINTS = (MIN_TEXT_HEIGHT_PIXELS / 150) * 72;
export const MAX_SYNC_DOCUMENT_BYTES = 10 * 1024 * 1024;
