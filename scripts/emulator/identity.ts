// AnalyzeID: each page sent (front, back) is its own IdentityDocument, with every standard field
// Textract returns, filled from the labels printed on that page and empty otherwise (Textract
// also returns the empty ones). Dates carry Textract's NormalizedValue. No geometry: AnalyzeID
// returns none for fields.
import { addressParts } from './address.ts';
import { derivedConfidence, idFactory, round, type Block } from './geometry.ts';
import type { PageLayout, Word } from './layout.ts';
import { normaliseLabel } from './expense-types.ts';
import { seededRandom } from './random.ts';
import { pageBlocks, textBlocks } from './text-blocks.ts';

/** In the order Textract lists them (see test_analyze_id_from_image.json). */
export const IDENTITY_FIELDS = [
  'FIRST_NAME', 'LAST_NAME', 'MIDDLE_NAME', 'SUFFIX', 'CITY_IN_ADDRESS', 'ZIP_CODE_IN_ADDRESS',
  'STATE_IN_ADDRESS', 'STATE_NAME', 'DOCUMENT_NUMBER', 'EXPIRATION_DATE', 'DATE_OF_BIRTH',
  'DATE_OF_ISSUE', 'ID_TYPE', 'ENDORSEMENTS', 'VETERAN', 'RESTRICTIONS', 'CLASS', 'ADDRESS',
  'COUNTY', 'PLACE_OF_BIRTH', 'MRZ_CODE',
] as const;
type FieldType = (typeof IDENTITY_FIELDS)[number];

const DATE_FIELDS = new Set<FieldType>(['EXPIRATION_DATE', 'DATE_OF_BIRTH', 'DATE_OF_ISSUE']);

const NUMBER = '( ?(#|no|num|number))?';
const LABELS: readonly [RegExp, FieldType | 'NAME'][] = [
  [/^(first( name)?|fn|given names?|forenames?)$/, 'FIRST_NAME'],
  [/^(last( name)?|ln|surname|family name)$/, 'LAST_NAME'],
  [/^(middle( name)?|mn)$/, 'MIDDLE_NAME'],
  [/^suffix$/, 'SUFFIX'],
  [/^(name|full name|nm)$/, 'NAME'],
  [/^(address|addr|residence|street( address)?)$/, 'ADDRESS'],
  [/^city$/, 'CITY_IN_ADDRESS'],
  [/^(zip|zip code|postal code|postcode)$/, 'ZIP_CODE_IN_ADDRESS'],
  [/^state$/, 'STATE_IN_ADDRESS'],
  [/^(state name|issuing state|issued by)$/, 'STATE_NAME'],
  [/^county$/, 'COUNTY'],
  [/^(id type|document type|type)$/, 'ID_TYPE'],
  [new RegExp(`^((dl|dln|lic|license|licence|id|passport|document|doc|card)${NUMBER}|number|no|#)$`), 'DOCUMENT_NUMBER'],
  [/^(exp|expires|expiry|expiration|exp date|expiration date|date of expiry|date of expiration|valid until)$/, 'EXPIRATION_DATE'],
  [/^(dob|date of birth|birth date|birthdate|born)$/, 'DATE_OF_BIRTH'],
  [/^(iss|issued|issue date|date of issue|issued on)$/, 'DATE_OF_ISSUE'],
  [/^(end|endorsements?|endorse)$/, 'ENDORSEMENTS'],
  [/^(rest|restr|restrictions?)$/, 'RESTRICTIONS'],
  [/^(class|cls)$/, 'CLASS'],
  [/^veteran$/, 'VETERAN'],
  [/^(place of birth|birthplace|birth place|pob)$/, 'PLACE_OF_BIRTH'],
];

const STATES = [
  'ALABAMA', 'ALASKA', 'ARIZONA', 'ARKANSAS', 'CALIFORNIA', 'COLORADO', 'CONNECTICUT', 'DELAWARE', 'DISTRICT OF COLUMBIA',
  'FLORIDA', 'GEORGIA', 'HAWAII', 'IDAHO', 'ILLINOIS', 'INDIANA', 'IOWA', 'KANSAS', 'KENTUCKY', 'LOUISIANA', 'MAINE',
  'MARYLAND', 'MASSACHUSETTS', 'MICHIGAN', 'MINNESOTA', 'MISSISSIPPI', 'MISSOURI', 'MONTANA', 'NEBRASKA', 'NEVADA',
  'NEW HAMPSHIRE', 'NEW JERSEY', 'NEW MEXICO', 'NEW YORK', 'NORTH CAROLINA', 'NORTH DAKOTA', 'OHIO', 'OKLAHOMA', 'OREGON',
  'PENNSYLVANIA', 'RHODE ISLAND', 'SOUTH CAROLINA', 'SOUTH DAKOTA', 'TENNESSEE', 'TEXAS', 'UTAH', 'VERMONT', 'VIRGINIA',
  'WASHINGTON', 'WEST VIRGINIA', 'WISCONSIN', 'WYOMING',
];
const SUFFIXES = new Set(['JR', 'SR', 'II', 'III', 'IV', 'V']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Dates as US IDs print them (MM/DD/YYYY), ISO, and passports' "18 MAR 2001", as Textract's normalised form. */
export function normaliseDate(text: string): string | null {
  const t = text.trim().toUpperCase();
  let m: RegExpExecArray | null;
  let year: number, month: number, day: number;
  if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t))) [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$/.exec(t))) [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})\s*([A-Z]{3})[A-Z]*\.?\s*(\d{4})$/.exec(t))) [day, month, year] = [Number(m[1]), MONTHS.indexOf(m[2]) + 1, Number(m[3])];
  else if ((m = /^([A-Z]{3})[A-Z]*\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(t))) [month, day, year] = [MONTHS.indexOf(m[1]) + 1, Number(m[2]), Number(m[3])];
  else return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00`;
}

interface Found {
  text: string;
  words: readonly Word[];
}

const textOf = (words: readonly Word[]): string => words.map((w) => w.text).join(' ');
const found = (words: readonly Word[], text = textOf(words).replace(/,$/, '')): Found => ({ text, words });

/** "GARCIA, MARIA L" or "MARIA L GARCIA JR" → first, middle, last and suffix. */
function splitName(words: readonly Word[]): Partial<Record<FieldType, Found>> {
  const comma = words.findIndex((w) => w.text.endsWith(','));
  let first: Word[], last: Word[];
  let rest = [...words];
  const suffixWord = rest.length > 2 && SUFFIXES.has(rest[rest.length - 1].text.replace(/[.,]/g, '').toUpperCase()) ? rest.pop()! : null;
  if (comma >= 0 && comma < rest.length - 1) {
    last = rest.slice(0, comma + 1);
    rest = rest.slice(comma + 1);
    first = rest.slice(0, 1);
  } else {
    last = rest.length > 1 ? [rest.pop()!] : [];
    first = rest.slice(0, 1);
  }
  const middle = rest.slice(1);
  const out: Partial<Record<FieldType, Found>> = {};
  if (first.length) out.FIRST_NAME = found(first);
  if (last.length) out.LAST_NAME = found(last);
  if (middle.length) out.MIDDLE_NAME = found(middle);
  if (suffixWord) out.SUFFIX = found([suffixWord], suffixWord.text.replace(/[,]/g, ''));
  return out;
}

function extractFields(layout: PageLayout): Partial<Record<FieldType, Found>> {
  const fields: Partial<Record<FieldType, Found>> = {};
  // Explicit labels win over what is inferred from a full name or an address.
  const inferred: Partial<Record<FieldType, Found>> = {};
  for (const pair of layout.keyValues) {
    const label = normaliseLabel(textOf(pair.keyWords));
    const type = LABELS.find(([pattern]) => pattern.test(label))?.[1];
    if (!type) continue;
    if (type === 'NAME') Object.assign(inferred, splitName(pair.valueWords));
    else if (type === 'ADDRESS') {
      const parts = new Map(addressParts(pair.valueWords));
      fields.ADDRESS ??= found(parts.get('STREET') ?? pair.valueWords);
      if (parts.has('CITY')) inferred.CITY_IN_ADDRESS = found(parts.get('CITY')!);
      if (parts.has('STATE')) inferred.STATE_IN_ADDRESS = found(parts.get('STATE')!);
      if (parts.has('ZIP_CODE')) inferred.ZIP_CODE_IN_ADDRESS = found(parts.get('ZIP_CODE')!);
    } else fields[type] ??= found(pair.valueWords);
  }
  for (const [type, value] of Object.entries(inferred) as [FieldType, Found][]) fields[type] ??= value;

  // Printed, unlabelled: the issuing state's name, "VETERAN", and a passport's machine-readable zone.
  const formWords = new Set(layout.keyValues.flatMap((kv) => [...kv.keyWords, ...kv.valueWords]));
  const free = layout.lines.filter((l) => !l.words.some((w) => formWords.has(w)));
  const stateLine = free.find((l) => STATES.some((s) => new RegExp(`\\b${s}\\b`).test(l.text.toUpperCase())));
  if (stateLine && !fields.STATE_NAME) {
    const name = STATES.filter((s) => new RegExp(`\\b${s}\\b`).test(stateLine.text.toUpperCase())).sort((a, b) => b.length - a.length)[0];
    fields.STATE_NAME = { text: name, words: stateLine.words };
  }
  const veteran = free.find((l) => /^veteran$/i.test(l.text.trim()));
  if (veteran && !fields.VETERAN) fields.VETERAN = found(veteran.words, 'VETERAN');
  const mrz = layout.lines.filter((l) => /^[A-Z0-9<]{30,44}$/.test(l.text.replace(/\s/g, '')) && l.text.includes('<'));
  if (mrz.length >= 2) fields.MRZ_CODE = { text: mrz.map((l) => l.text.replace(/\s/g, '')).join('\n'), words: mrz.flatMap((l) => l.words) };

  if (!fields.ID_TYPE) {
    const all = layout.lines.map((l) => l.text.toUpperCase()).join('\n');
    const personal = fields.FIRST_NAME || fields.LAST_NAME || fields.DATE_OF_BIRTH || fields.DOCUMENT_NUMBER;
    if (/\bPASSPORT\b/.test(all) || mrz.some((l) => l.text.startsWith('P<'))) fields.ID_TYPE = { text: 'PASSPORT', words: [] };
    else if (/\bDRIVER'?S?\s+LICEN[CS]E\b/.test(all)) fields.ID_TYPE = { text: personal ? 'DRIVER LICENSE FRONT' : 'DRIVER LICENSE BACK', words: [] };
  }
  return fields;
}

function identityDocument(sha256: string, layout: PageLayout, index: number): Block {
  // The index is part of the seed so a front and back sent as identical bytes still get distinct ids.
  const nextId = idFactory(`${sha256}:${index}`);
  const text = textBlocks(layout, nextId, { page: index, pageOnWordsOnly: true });
  const fields = extractFields(layout);
  // Textract is sure an absent field is absent (its empty values carry ~99 confidence).
  const emptyConfidence = seededRandom(Number.parseInt(sha256.slice(24, 32), 16) ^ index);
  return {
    DocumentIndex: index,
    IdentityDocumentFields: IDENTITY_FIELDS.map((type) => {
      const value = fields[type];
      const normalized = value && DATE_FIELDS.has(type) ? normaliseDate(value.text) : null;
      return {
        Type: { Text: type },
        ValueDetection: {
          Text: value?.text ?? '',
          ...(normalized ? { NormalizedValue: { Value: normalized, ValueType: 'Date' } } : {}),
          Confidence: value && value.words.length ? derivedConfidence(value.words, 1) : round(98.5 + emptyConfidence() * 1.4),
        },
      };
    }),
    Blocks: pageBlocks(text),
  };
}

/** One IdentityDocument per page, DocumentIndex 1 for the first page sent (the front). */
export function buildIdentityResponse(pages: readonly { sha256: string; layout: PageLayout }[]): Record<string, unknown> {
  return {
    IdentityDocuments: pages.map((p, i) => identityDocument(p.sha256, p.layout, i + 1)),
    DocumentMetadata: { Pages: pages.length },
    AnalyzeIDModelVersion: '1.0',
  };
}
