// How printed labels map to Textract's normalised expense types, and what currency an amount is in.
// The vocabulary follows AWS's list of AnalyzeExpense summary and line-item types.

/** Lower case, no colon or full stops, single spaces: "Invoice No.:" → "invoice no". */
export function normaliseLabel(text: string): string {
  return text.toLowerCase().replace(/[:.]/g, ' ').replace(/\s*#\s*/g, ' #').replace(/\s+/g, ' ').trim();
}

/** A summary field's group: who the name or address belongs to (Textract's GroupProperties.Types). */
export type ExpenseGroup = 'VENDOR' | 'RECEIVER_BILL_TO' | 'RECEIVER_SHIP_TO';

export interface SummaryType {
  type: string;
  /** NAME and ADDRESS fields belong to a group, and Textract repeats them under a flat type too. */
  group?: ExpenseGroup;
  flat?: string;
}

const ID = '( ?(#|no|num|number|id))?';

/** First match wins, so the specific labels come before the general ones. */
const SUMMARY: readonly [RegExp, SummaryType][] = [
  [/^sub ?-?total$/, { type: 'SUBTOTAL' }],
  [/^((amount|balance|total) due|balance|amount owing)$/, { type: 'AMOUNT_DUE' }],
  [/^(amount paid|paid|tend|tendered|payment|cash|card)$/, { type: 'AMOUNT_PAID' }],
  [/^(total|grand total|total amount|invoice total|amount|total \(?usd\)?)$/, { type: 'TOTAL' }],
  [/^((sales )?tax|vat|gst|hst|tax amount)$/, { type: 'TAX' }],
  [/^discount( amount)?$/, { type: 'DISCOUNT' }],
  [/^(tip|gratuity)$/, { type: 'GRATUITY' }],
  [/^service (charge|fee)$/, { type: 'SERVICE_CHARGE' }],
  [/^(shipping|shipping (&|and) handling|freight|delivery( charge)?)$/, { type: 'SHIPPING_HANDLING_CHARGE' }],
  [/^(prior|previous) balance$/, { type: 'PRIOR_BALANCE' }],
  [/^(due date|payment due( date)?|due)$/, { type: 'DUE_DATE' }],
  [/^order date$/, { type: 'ORDER_DATE' }],
  [/^(delivery|ship|shipping) date$/, { type: 'DELIVERY_DATE' }],
  [/^((invoice|receipt|bill|transaction) date|date|date issued|issue date|date of issue)$/, { type: 'INVOICE_RECEIPT_DATE' }],
  [new RegExp(`^(invoice|receipt|bill|inv|tr|transaction)${ID}$`), { type: 'INVOICE_RECEIPT_ID' }],
  [new RegExp(`^(po|p o|purchase order|order)${ID}$`), { type: 'PO_NUMBER' }],
  [new RegExp(`^account${ID}$`), { type: 'ACCOUNT_NUMBER' }],
  [/^customer ?(#|no|num|number|id)$/, { type: 'CUSTOMER_NUMBER' }],
  [/^(payment )?terms$/, { type: 'PAYMENT_TERMS' }],
  [/^(tax id|tax payer id|taxpayer id|ein|tin|vat (#|no|number|id)|gst (#|no|number))$/, { type: 'TAX_PAYER_ID' }],
  [/^(vendor|seller|merchant|supplier|sold by|store|from|company|remit to)( name)?$/, { type: 'NAME', group: 'VENDOR', flat: 'VENDOR_NAME' }],
  [/^(vendor|seller|merchant|supplier|store|company|remit to)? ?address$/, { type: 'ADDRESS', group: 'VENDOR', flat: 'VENDOR_ADDRESS' }],
  [/^(phone|tel|telephone|vendor phone|phone number)$/, { type: 'VENDOR_PHONE' }],
  [/^(website|web|url|vendor url)$/, { type: 'VENDOR_URL' }],
  [/^(bill to|billed to|customer|client|sold to|customer name|bill to name)$/, { type: 'NAME', group: 'RECEIVER_BILL_TO', flat: 'RECEIVER_NAME' }],
  [/^(bill to address|billing address|customer address)$/, { type: 'ADDRESS', group: 'RECEIVER_BILL_TO', flat: 'RECEIVER_ADDRESS' }],
  [/^(ship to|shipping address|deliver to|ship to address|delivery address)$/, { type: 'ADDRESS', group: 'RECEIVER_SHIP_TO', flat: 'RECEIVER_ADDRESS' }],
];

export function summaryType(label: string): SummaryType | null {
  const normal = normaliseLabel(label);
  return SUMMARY.find(([pattern]) => pattern.test(normal))?.[1] ?? null;
}

const LINE_ITEM: readonly [RegExp, string][] = [
  [/^(sku|upc|code|(item|product|part|article) ?(#|no|code|number))$/, 'PRODUCT_CODE'],
  [/^(qty|quantity|qnty|units?|count|hrs|hours|pcs)$/, 'QUANTITY'],
  [/^(unit (price|cost|amount)|rate|price each|each|price\/unit|per unit)$/, 'UNIT_PRICE'],
  [/^(price|amount|total|line total|cost|ext(ended)? (price|amount)|ext|subtotal|value)$/, 'PRICE'],
  [/^(items?|description|desc|product|name|article|services?|details|particulars|item description)$/, 'ITEM'],
];

/** A table column's type from its header, or null when the header says nothing Textract knows. */
export function lineItemType(header: string): string | null {
  const normal = normaliseLabel(header);
  return LINE_ITEM.find(([pattern]) => pattern.test(normal))?.[1] ?? null;
}

/** Ordered so that codes and prefixed dollars win over a bare `$`. */
const CURRENCIES: readonly [RegExp, string][] = [
  [/\bUSD\b|US\$/, 'USD'], [/\bCAD\b|CA?\$/, 'CAD'], [/\bAUD\b|AU?\$/, 'AUD'], [/\bNZD\b|NZ\$/, 'NZD'],
  [/€|\bEUR\b/, 'EUR'], [/£|\bGBP\b/, 'GBP'], [/¥|\bJPY\b/, 'JPY'], [/₹|\bINR\b/, 'INR'], [/\bCHF\b/, 'CHF'], [/\$/, 'USD'],
];

/** The currency of an amount, when the value names one (a symbol or an ISO code next to digits). */
export function currencyOf(value: string): string | null {
  if (!/\d/.test(value)) return null;
  return CURRENCIES.find(([pattern]) => pattern.test(value))?.[1] ?? null;
}
